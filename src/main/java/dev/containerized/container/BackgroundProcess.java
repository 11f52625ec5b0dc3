package dev.containerized.container;

import dev.containerized.container.host.HostContainer;
import dev.containerized.container.host.RunningCommand;

import java.time.Duration;
import java.util.List;

/**
 * A command running in a container, started by {@link Container#execInBackground(String...)}. It leads
 * its own session, so a signal reaches the command and the processes it started.
 */
public final class BackgroundProcess {
    private static final int SIGKILL = 9;
    private static final Duration AFTER_KILL = Duration.ofSeconds(10);

    private final HostContainer container;
    private final RunningCommand command;

    BackgroundProcess(HostContainer container, RunningCommand command) {
        this.container = container;
        this.command = command;
    }

    public List<String> command() {
        return command.command();
    }

    /** Its pid inside the container, once it started (waits up to 30 s); a command that could not start has none. */
    public int pid() {
        return command.pid(Duration.ofSeconds(30));
    }

    public boolean isAlive() {
        return command.isAlive();
    }

    /** Sends a signal to the command's process group. */
    public void signal(int signal) {
        container.signal(command, signal);
    }

    public void kill() {
        signal(SIGKILL);
    }

    /** What it wrote to stdout so far. */
    public String stdoutSoFar() {
        return command.stdoutSoFar();
    }

    /** What it wrote to stderr so far. */
    public String stderrSoFar() {
        return command.stderrSoFar();
    }

    /**
     * Waits for the end of the command and of its output. A command still running after {@code timeout}
     * is killed with its process group, and its result says {@code timedOut}. If the waiting thread is
     * interrupted (a test's own timeout), the command is killed and the interrupt kept.
     */
    public ExecResult await(Duration timeout) {
        checkTimeout(timeout);
        try {
            return command.await(timeout).orElseGet(this::killForTimeout);
        } catch (ContainerException e) {
            if (Thread.currentThread().isInterrupted()) {
                kill();
                throw new ContainerException("interrupted while waiting for " + command() + " (a test timeout?); the command was killed", e);
            }
            throw e;
        }
    }

    static void checkTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout " + timeout + " must be positive, such as Duration.ofSeconds(30)");
        }
    }

    private ExecResult killForTimeout() {
        command.markTimedOut();
        kill();
        return command.await(AFTER_KILL).orElseThrow(() -> new ContainerException("command " + command()
                + " outlived its timeout and did not end within " + AFTER_KILL.toSeconds()
                + " s of SIGKILL (a process outside its process group may hold its output open)"));
    }

    @Override
    public String toString() {
        return "BackgroundProcess" + command() + (isAlive() ? "" : " (ended)");
    }
}
