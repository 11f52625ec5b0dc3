package dev.containerized.container;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * "Command as PID 1" ({@code docker run}): the init sets the container up and then execs the command,
 * whose stdio are the init's, and whose end is the init's end.
 */
final class Pid1Run {
    private Pid1Run() {
    }

    /** Runs with stdin from /dev/null and stdout and stderr captured. */
    static ExecResult captured(ContainerSpec spec, List<String> argv) {
        requireCommand(argv);
        long start = System.nanoTime();
        InitProcess init = InitProcess.start(spec, Optional.of(argv), InitLauncher.Io.CAPTURED);
        try {
            CompletableFuture<String> out = drain(init.process.stdout.orElseThrow());
            CompletableFuture<String> err = drain(init.process.stderr.orElseThrow());
            OptionalInt status = init.process.waitFor(spec.execTimeout());
            boolean timedOut = status.isEmpty();
            if (timedOut) {
                init.process.kill();
                status = OptionalInt.of(init.process.waitFor());
            }
            failIfSetupFailed(init);
            boolean oomKillsRose = init.cgroup.stats().oomKills() > 0;
            return ExecResult.fromWaitStatus(argv, status.getAsInt(), out.join(), err.join(),
                    Duration.ofNanos(System.nanoTime() - start), timedOut, oomKillsRose);
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
        InitProcess init = InitProcess.start(spec, Optional.of(argv), InitLauncher.Io.TERMINAL);
        try {
            int status = init.process.waitFor();
            failIfSetupFailed(init);
            return new WaitStatus(status).shellStatus();
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
