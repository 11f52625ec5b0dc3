package dev.containerized.container;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A command running in a container, started by {@link Container#execInBackground(String...)}. It leads
 * its own session, so a signal reaches the command and the processes it started.
 */
public final class BackgroundProcess {
    private static final int SIGKILL = 9;

    private final Container container;
    private final int id;
    private final List<String> command;
    private final long startNanos = System.nanoTime();
    private final long oomKillsAtStart;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final CompletableFuture<Integer> pid = new CompletableFuture<>();
    private final CompletableFuture<ExecResult> result = new CompletableFuture<>();
    private volatile boolean timedOut;

    BackgroundProcess(Container container, int id, List<String> command, long oomKillsAtStart) {
        this.container = container;
        this.id = id;
        this.command = List.copyOf(command);
        this.oomKillsAtStart = oomKillsAtStart;
    }

    public List<String> command() {
        return command;
    }

    /** Its pid inside the container, once it started; a command that could not start has none. */
    public int pid() {
        try {
            return pid.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new ContainerException("command " + command + " has no pid: " + e.getMessage(), e);
        }
    }

    public boolean isAlive() {
        return !result.isDone();
    }

    /** Sends a signal to the command's process group. */
    public void signal(int signal) {
        if (isAlive()) {
            container.signal(id, signal);
        }
    }

    public void kill() {
        signal(SIGKILL);
    }

    /** What it wrote to stdout so far. */
    public String stdoutSoFar() {
        synchronized (stdout) {
            return stdout.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * Waits for the end of the command and of its output. A command still running after {@code timeout}
     * is killed with its process group, and its result says {@code timedOut}.
     */
    public ExecResult await(Duration timeout) {
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            timedOut = true;
            kill();
            try {
                return result.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException stillRunning) {
                throw new ContainerException("command " + command + " outlived its timeout of " + timeout
                        + " and did not end within 10 s of SIGKILL (a process outside its process group may hold its output open)");
            } catch (InterruptedException | ExecutionException inner) {
                return failed(inner);
            }
        } catch (InterruptedException | ExecutionException e) {
            return failed(e);
        }
    }

    private ExecResult failed(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        throw new ContainerException("command " + command + " did not complete: " + cause.getMessage(), cause);
    }

    void started(int containerPid) {
        pid.complete(containerPid);
    }

    void output(int stream, byte[] data) {
        ByteArrayOutputStream target = stream == 1 ? stdout : stderr;
        synchronized (target) {
            target.write(data, 0, data.length);
        }
    }

    void exited(int waitStatus) {
        pid.completeExceptionally(new ContainerException("command " + command + " never started"));
        boolean oomKillsRose = container.stats().oomKills() > oomKillsAtStart;
        String out;
        String err;
        synchronized (stdout) {
            out = stdout.toString(StandardCharsets.UTF_8);
        }
        synchronized (stderr) {
            err = stderr.toString(StandardCharsets.UTF_8);
        }
        result.complete(ExecResult.fromWaitStatus(command, waitStatus, out, err,
                Duration.ofNanos(System.nanoTime() - startNanos), timedOut, oomKillsRose));
    }

    void abandoned(String why) {
        ContainerException failure = new ContainerException(why);
        pid.completeExceptionally(failure);
        result.completeExceptionally(failure);
    }
}
