package dev.containerized.container.host;

import dev.containerized.container.ContainerException;
import dev.containerized.container.ExecResult;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.linux.Processes;
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

    private Pid1Runs() {
    }

    /** Runs with its output captured (and given to the request's listener as it comes); killed after {@code timeout}. */
    public static ExecResult captured(ContainerPlan plan, ExecRequest request, Duration timeout) {
        HostContainer container = HostContainer.start(plan, true);
        try {
            RunningCommand command = container.becomeCommand(request);
            if (!command.isAlive()) { // refused before it reached PID 1 (E2BIG)
                return command.await(Duration.ZERO).orElseThrow();
            }
            OptionalInt status = container.awaitPid1(timeout);
            if (status.isEmpty()) {
                command.markTimedOut();
                container.killPid1();
                status = container.awaitPid1(AFTER_KILL);
            }
            command.exited(status.orElseThrow(() -> new ContainerException("PID 1 of " + container + " did not end within "
                    + AFTER_KILL.toSeconds() + " s of SIGKILL")));
            return command.await(AFTER_KILL).orElseThrow(() -> new ContainerException("the output of " + request.argv()
                    + " did not end within " + AFTER_KILL.toSeconds() + " s of its exit"));
        } finally {
            container.close("its command ended");
        }
    }

    /**
     * Runs with this process's stdin, stdout and stderr: on a terminal through a pty of the container's
     * own, else through pipes (never a host file: a command holding one could reopen it through
     * /proc/self/fd and read or chmod it). Returns the exit status, 128 + N for a death by signal N.
     */
    public static int interactive(ContainerPlan plan, ExecRequest request) {
        if (Terminals.isTerminal(0)) {
            return onTerminal(plan, request);
        }
        ExecRequest piped = request.withStdio(ExecRequest.Stdin.from(() -> new FileInputStream(FileDescriptor.in)),
                (stream, bytes, length) -> (stream == RunningCommand.STDOUT ? System.out : System.err).write(bytes, 0, length));
        ExecResult result = captured(plan, piped, Duration.ofDays(3650));
        System.out.flush();
        return result.exitCode();
    }

    /**
     * Runs on this process's terminal: the command gets a pty of the container's own, relayed to the
     * terminal in raw mode (so Ctrl-C reaches the command as a byte its pty turns into SIGINT), with the
     * window size passed on.
     */
    private static int onTerminal(ContainerPlan plan, ExecRequest request) {
        HostContainer container = HostContainer.start(plan.withTerminal(), true);
        Memory savedMode = null;
        try (Fd master = container.terminal(); Fd slave = Terminals.openPeer(master)) {
            Terminals.copyWindowSize(0, master.number());
            Runnable resize = () -> Terminals.copyWindowSize(0, master.number());
            WindowChanges.follow(resize);
            RunningCommand command = container.becomeCommandOnTerminal(request, slave);
            slave.close();
            savedMode = Terminals.makeRaw(0);
            relay(new FileInputStream(FileDescriptor.in), master, "containerized-terminal-in");
            Thread out = relayOut(master);
            OptionalInt status = container.awaitPid1(Duration.ofDays(3650));
            join(out);
            WindowChanges.stop(resize);
            command.exited(status.orElse(Processes.SIGKILL));
            ExecResult result = command.await(AFTER_KILL).orElseThrow();
            if (result.exitCode() >= 126 && !result.stderr().isEmpty()) {
                System.err.print(result.stderr());
            }
            return result.exitCode();
        } finally {
            if (savedMode != null) {
                Terminals.restore(0, savedMode);
            }
            container.close("its command ended");
        }
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

    /** Copies the pty's output to this process's stdout until the pty has no process left (EIO). */
    private static Thread relayOut(Fd master) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[4096];
            try {
                int n;
                while ((n = Unistd.read(master.number(), buffer, buffer.length)) > 0) {
                    System.out.write(buffer, 0, n);
                    System.out.flush();
                }
            } catch (LinuxException ended) {
                // EIO: the last process holding the slave side exited.
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
