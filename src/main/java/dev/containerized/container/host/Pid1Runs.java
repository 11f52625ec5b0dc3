package dev.containerized.container.host;

import dev.containerized.container.ContainerException;
import dev.containerized.container.ExecResult;
import dev.containerized.container.RunResult;
import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.linux.Terminals;
import dev.containerized.internal.linux.Unistd;

import com.sun.jna.Memory;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * "Command as PID 1" ({@code docker run} semantics): a fresh container whose PID 1 confines itself and
 * becomes the command; the container is gone when the command is.
 */
public final class Pid1Runs {
    private static final Duration AFTER_KILL = Duration.ofSeconds(10);
    /** No timeout: a shell a user works in for as long as they like. */
    private static final Duration FOREVER = Duration.ofDays(3650);

    private Pid1Runs() {
    }

    /** Runs with its output captured (and given to the request's listener as it comes); killed after {@code timeout}. */
    public static ExecResult captured(ContainerPlan plan, java.util.function.Function<HostContainer, ExecRequest> requestFor,
                                      Duration timeout) {
        return capturedRun(plan, requestFor, timeout, false).result();
    }

    /**
     * As {@link #captured}; with {@code figures}, the result carries the cgroup's figures read after the
     * container's last process ended (without, its figures are -1s).
     */
    private static RunResult capturedRun(ContainerPlan plan, java.util.function.Function<HostContainer, ExecRequest> requestFor,
                                         Duration timeout, boolean figures) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HostContainer container = HostContainer.start(plan, true);
        if (!figures) {
            container.forgoFinalFigures();
        }
        ExecResult result;
        try {
            ExecRequest request = requestFor.apply(container);
            RunningCommand command = container.becomeCommand(request);
            if (command.isAlive()) {
                command.exited(awaitOrKill(container, command, deadline));
            } // else refused before it reached PID 1 (E2BIG): its result is in already
            result = command.await(AFTER_KILL).orElseThrow(() -> new ContainerException("the output of " + request.argv()
                    + " did not end within " + AFTER_KILL.toSeconds() + " s of its exit"));
        } finally {
            container.close("its command ended");
        }
        return new RunResult(result, container.stats());
    }

    /** PID 1's wait status: once it ended, or once SIGKILL ended it at {@code deadline} (the command then timed out). */
    private static int awaitOrKill(HostContainer container, RunningCommand command, long deadline) {
        OptionalInt status = container.awaitPid1(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        if (status.isEmpty() && Thread.currentThread().isInterrupted()) {
            container.killPid1(); // the close that follows waits for the end, the interrupt held back
            throw new ContainerException("interrupted while " + command.command() + " ran as PID 1 (a test timeout?); the container was killed");
        }
        if (status.isEmpty()) {
            command.markTimedOut();
            container.killPid1();
            status = container.awaitPid1(AFTER_KILL);
        }
        return status.orElseThrow(() -> new ContainerException("PID 1 of " + container + " did not end within "
                + AFTER_KILL.toSeconds() + " s of SIGKILL"));
    }

    /**
     * Runs with this process's stdin, stdout and stderr: on a terminal through a pty of the container's
     * own, else through pipes (never a host file: a command holding one could reopen it through
     * /proc/self/fd and read or chmod it). Returns the exit status, 128 + N for a death by signal N.
     */
    public static int interactive(ContainerPlan plan, java.util.function.Function<HostContainer, ExecRequest> requestFor) {
        return interactive(plan, requestFor, FOREVER).result().exitCode();
    }

    /**
     * As {@link #interactive(ContainerPlan, java.util.function.Function)}; the container is killed once
     * {@code timeout} passed since its start, and the result carries the cgroup's final figures.
     */
    public static RunResult interactive(ContainerPlan plan, java.util.function.Function<HostContainer, ExecRequest> requestFor,
                                        Duration timeout) {
        if (Terminals.isTerminal(0)) {
            return onTerminal(plan, requestFor, timeout);
        }
        System.out.flush();
        System.err.flush();
        return capturedRun(plan, host -> requestFor.apply(host).withStdio(ExecRequest.Stdin.from(Pid1Runs::thisProcessStdin),
                (stream, bytes, length) -> relayToThisProcess(host, stream, bytes, length)), timeout, true);
    }

    /**
     * Writes a command's output to this process's own stdout or stderr, by descriptor: System.out would
     * swallow the EPIPE of a reader that went away ({@code … | head -1}), and the command would run on,
     * relayed into nothing, where on the host it would have ended. On the host, SIGPIPE ends it; here the
     * command is its container's PID 1, which the kernel spares that signal, and a shell loop would go on
     * writing into the closed pipe: so the pipe is closed on it (its next write fails) and it is killed.
     */
    private static void relayToThisProcess(HostContainer container, int stream, byte[] bytes, int length) {
        if (!writeToThisProcess(stream == RunningCommand.STDOUT ? 1 : 2, bytes, length)) {
            container.killPid1();
            throw new RunningCommand.ReaderGone();
        }
    }

    /**
     * Writes to this process's own stdout or stderr; false once its reader is gone (EPIPE). Any other
     * error (a full disk, a descriptor someone made non-blocking) loses this piece, as System.out did:
     * the reader is still there, and the command is not ended for it.
     */
    private static boolean writeToThisProcess(int fd, byte[] bytes, int length) {
        try {
            Unistd.writeFully(fd, bytes, 0, length);
        } catch (LinuxException e) {
            return e.errno() != Errno.EPIPE;
        }
        return true;
    }

    /**
     * Runs on this process's terminal: the command gets a pty of the container's own, relayed to the
     * terminal in raw mode (so Ctrl-C reaches the command as a byte its pty turns into SIGINT), with the
     * window size passed on.
     */
    private static RunResult onTerminal(ContainerPlan plan, java.util.function.Function<HostContainer, ExecRequest> requestFor,
                                        Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HostContainer container = HostContainer.start(plan.withTerminal(), true);
        Memory savedMode = null;
        ExecResult result;
        try (Fd master = container.terminal(); Fd slave = Terminals.openPeer(master)) {
            ExecRequest request = requestFor.apply(container);
            Terminals.copyWindowSize(0, master.number());
            Runnable resize = () -> Terminals.copyWindowSize(0, master.number());
            WindowChanges.follow(resize);
            RunningCommand command = container.becomeCommandOnTerminal(request, slave);
            slave.close();
            savedMode = Terminals.makeRaw(0);
            relay(new FileInputStream(FileDescriptor.in), master, "containerized-terminal-in");
            // A command on a pty cannot get SIGPIPE: once this process's stdout is gone, it is killed instead.
            Thread out = relayOut(master, container::killPid1);
            int status = awaitOrKill(container, command, deadline);
            join(out);
            WindowChanges.stop(resize);
            command.exited(status);
            result = command.await(AFTER_KILL).orElseThrow();
        } finally {
            if (savedMode != null) {
                Terminals.restore(0, savedMode);
            }
            container.close("its command ended");
        }
        if (result.exitCode() >= 126 && !result.stderr().isEmpty()) {
            System.err.print(result.stderr());
        }
        return new RunResult(result, container.stats());
    }

    /**
     * This process's stdin, left open when the command's input ends: closing it would put /dev/null in
     * the place of fd 0 for the rest of the JVM (the JDK does that rather than close fds 0 to 2).
     */
    private static InputStream thisProcessStdin() {
        return new java.io.FilterInputStream(new FileInputStream(FileDescriptor.in)) {
            @Override
            public void close() {
            }
        };
    }

    /** Copies everything {@code in} gives to {@code fd}, on a thread of its own, until either ends. */
    static void relay(InputStream in, Fd fd, String name) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[4096];
            try {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    Unistd.writeFully(fd.number(), buffer, 0, n);
                }
            } catch (IOException | LinuxException ended) {
                // The command or the terminal is gone.
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Copies the pty's output to this process's stdout until the pty has no process left (EIO), or runs
     * {@code readerGone} once stdout takes no more (a pipe whose reader went away, as with {@code | head}).
     * By descriptor: System.out would swallow that EPIPE.
     */
    private static Thread relayOut(Fd master, Runnable readerGone) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[4096];
            int n;
            while (true) {
                try {
                    n = Unistd.read(master.number(), buffer, buffer.length);
                } catch (LinuxException ended) {
                    return; // EIO: the last process holding the slave side exited.
                }
                if (n <= 0) {
                    return;
                }
                if (!writeToThisProcess(1, buffer, n)) {
                    readerGone.run();
                    return;
                }
            }
        }, "containerized-terminal-out");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void join(Thread thread) {
        try {
            thread.join(AFTER_KILL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
