package dev.containerized.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A JVM of its own running {@link Child} in one of its modes, with stdout and stderr merged into lines
 * the test can wait for; optionally in a private mount namespace of its own (unshare(1)) where a shell
 * first mounts what the test needs, so that nothing of it is ever seen on the host and everything of it
 * goes away with the process. {@link #close()} kills it if it still runs.
 */
final class ChildJvm implements AutoCloseable {
    /** The id tokens of every child JVM started in this JVM: the soak checks none of them left anything. */
    static final java.util.Set<String> TOKENS = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Process process;
    private final String label;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private ChildJvm(Process process, String label) {
        this.process = process;
        this.label = label;
        this.reader = new Thread(this::readLines, "child-jvm-reader-" + label);
        this.reader.setDaemon(true);
        this.reader.start();
    }

    static Builder of(String mode, String... args) {
        return new Builder(mode, args);
    }

    static final class Builder {
        private final List<String> jvmOptions = new ArrayList<>(List.of("-Xshare:auto", "-XX:+UseSerialGC", "-Xss512k"));
        private final String mode;
        private final String[] args;
        private String privateMounts;
        private String heap = "64m";

        private Builder(String mode, String[] args) {
            this.mode = mode;
            this.args = args;
        }

        Builder property(String name, Object value) {
            jvmOptions.add("-D" + name + "=" + value);
            return this;
        }

        Builder heap(String maxHeap) {
            this.heap = maxHeap;
            return this;
        }

        /**
         * A heap of a fixed size, committed and touched at start and never resized: the process's resident
         * memory then moves only with what is not heap.
         */
        Builder fixedHeap(String size) {
            this.heap = size;
            jvmOptions.add("-Xms" + size);
            jvmOptions.add("-XX:+AlwaysPreTouch");
            return this;
        }

        /** Quick to start for short work: C1 only. */
        Builder quickStart() {
            jvmOptions.add("-XX:TieredStopAtLevel=1");
            return this;
        }

        /** Runs {@code script} (sh) in a private mount namespace first; its mounts are the JVM's and nobody else's. */
        Builder inPrivateMountNamespace(String script) {
            this.privateMounts = script;
            return this;
        }

        ChildJvm start() {
            List<String> command = new ArrayList<>();
            if (privateMounts != null) {
                // --propagation private: no mount made inside ever propagates back to the host.
                command.addAll(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                        "set -e; " + privateMounts + "; exec \"$@\"", "sh"));
            }
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx" + heap);
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName(), mode));
            command.addAll(List.of(args));
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                p.getOutputStream().close();
                return new ChildJvm(p, mode + "-" + p.pid());
            } catch (IOException e) {
                throw new IllegalStateException("cannot start a child JVM: " + command, e);
            }
        }
    }

    private void readLines() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("TOKEN ")) {
                    TOKENS.add(line.substring("TOKEN ".length()));
                }
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException ended) {
            // The process is gone.
        }
    }

    long pid() {
        return process.pid();
    }

    /** The first line (so far or within {@code timeout}) that matches; fails with everything it said otherwise. */
    String awaitLine(Predicate<String> wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                Optional<String> found = lines.stream().filter(wanted).findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    throw new AssertionError("child JVM " + label + " did not say what was expected within " + timeout
                            + (process.isAlive() ? "" : " (it ended)") + "; it said:\n" + String.join("\n", lines));
                }
                try {
                    lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    String awaitLineStartingWith(String prefix, Duration timeout) {
        return awaitLine(l -> l.startsWith(prefix), timeout);
    }

    /** Waits for the end and returns the exit status; fails with the output if it does not end in time. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("child JVM " + label + " did not end within " + timeout + "; it said:\n" + output());
            }
            reader.join(5000);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** SIGKILL, as the OOM killer or a CI runner's hard timeout would. Returns once the JVM is dead. */
    void sigkill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every process below this JVM now: its containers' PID 1s and their children. */
    List<ProcessHandle> descendants() {
        return process.toHandle().descendants().toList();
    }

    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    String output() {
        return String.join("\n", lines());
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            sigkill();
        }
    }

    @Override
    public String toString() {
        return "child JVM " + label;
    }
}
