package dev.containerized.container;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * "Command as PID 1" ({@code docker run}): the init sets the container up and then execs the command,
 * whose stdio are the init's. The test JVM sees the command's end as the init's exit status, where a
 * death by signal N reads as 128 + N; an OOM kill is told apart by the cgroup's OOM-kill count.
 */
final class Pid1Run {
    private Pid1Run() {
    }

    /** Runs with stdin from /dev/null and stdout and stderr captured. */
    static ExecResult captured(ContainerSpec spec, List<String> argv) {
        requireCommand(argv);
        long start = System.nanoTime();
        ProcessBuilder io = new ProcessBuilder().redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        InitProcess init = InitProcess.start(spec, Optional.of(argv), io);
        try {
            CompletableFuture<String> out = drain(init.process.getInputStream());
            CompletableFuture<String> err = drain(init.process.getErrorStream());
            boolean timedOut = !init.process.waitFor(spec.execTimeout().toNanos(), TimeUnit.NANOSECONDS);
            if (timedOut) {
                init.process.destroyForcibly().waitFor();
            }
            failIfSetupFailed(init);
            int status = init.process.exitValue();
            boolean oomKilled = !timedOut && init.cgroup.stats().oomKills() > 0;
            Duration duration = Duration.ofNanos(System.nanoTime() - start);
            OptionalInt signal = oomKilled || timedOut ? OptionalInt.of(9) : OptionalInt.empty();
            return new ExecResult(argv, status, signal, out.join(), err.join(), duration, timedOut, oomKilled);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("interrupted while " + argv + " ran", e);
        } finally {
            init.destroy();
        }
    }

    /** Runs with the terminal passed through (the {@code run} command line); returns the exit status. */
    static int interactive(ContainerSpec spec, List<String> argv) {
        requireCommand(argv);
        InitProcess init = InitProcess.start(spec, Optional.of(argv), new ProcessBuilder().inheritIO());
        try {
            int status = init.process.waitFor();
            failIfSetupFailed(init);
            return status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("interrupted while " + argv + " ran", e);
        } finally {
            init.destroy();
        }
    }

    private static void requireCommand(List<String> argv) {
        if (argv.isEmpty() || argv.get(0) == null || argv.get(0).isEmpty()) {
            throw new IllegalArgumentException("run needs a command: the program and its arguments, such as run(spec, \"/bin/sh\", \"-c\", \"echo $$\")");
        }
    }

    private static void failIfSetupFailed(InitProcess init) {
        Optional<String> error = init.state.setupError();
        if (error.isPresent()) {
            throw new ContainerException("container setup failed: " + error.get());
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try (stream) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                stream.transferTo(bytes);
                text.complete(bytes.toString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(new UncheckedIOException(e));
            }
        }, "containerized-drain");
        thread.setDaemon(true);
        thread.start();
        return text;
    }
}
