package dev.containerized.container;

import dev.containerized.internal.linux.Linux;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The init process as the test JVM holds it: its host pid, its stdio, and its end. */
final class SpawnedInit {
    private static final int SIGKILL = 9;

    final int pid;
    private final Thread launcher;
    private final Exit exit;
    final Optional<OutputStream> stdin;
    final Optional<InputStream> stdout;
    final Optional<InputStream> stderr;

    SpawnedInit(int pid, Thread launcher, Exit exit, Optional<OutputStream> stdin, Optional<InputStream> stdout,
                Optional<InputStream> stderr) {
        this.pid = pid;
        this.launcher = launcher;
        this.exit = exit;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * The init's end, seen by the launching thread. It waits for the exit without reaping first and
     * only then marks the init as exited and reaps it: so {@link #kill} never signals a pid that was
     * reaped and may belong to another process by now.
     */
    static final class Exit {
        private final CompletableFuture<Integer> waitStatus = new CompletableFuture<>();
        private boolean exited;

        void waitFor(int pid) {
            try {
                Linux.awaitExitWithoutReaping(pid);
                synchronized (this) {
                    exited = true;
                }
                waitStatus.complete(Linux.reap(pid));
            } catch (RuntimeException e) {
                waitStatus.completeExceptionally(e);
            }
        }

        synchronized void kill(int pid) {
            if (!exited) {
                Linux.kill(pid, SIGKILL);
            }
        }
    }

    boolean isAlive() {
        return !exit.waitStatus.isDone();
    }

    /** SIGKILL, unless it has already exited. */
    void kill() {
        exit.kill(pid);
    }

    /** The waitpid(2) status, once it ended within {@code timeout}. */
    OptionalInt waitFor(Duration timeout) throws InterruptedException {
        try {
            return OptionalInt.of(exit.waitStatus.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return OptionalInt.empty();
        } catch (ExecutionException e) {
            throw new ContainerException("cannot wait for the init (pid " + pid + "): " + e.getCause().getMessage(), e.getCause());
        }
    }

    int waitFor() throws InterruptedException {
        return waitFor(Duration.ofDays(365)).orElseThrow();
    }

    /** Waits for the launching thread, which ends right after the init. */
    void joinLauncher(Duration timeout) throws InterruptedException {
        launcher.join(timeout.toMillis());
    }
}
