package dev.containerized.container.host;

import dev.containerized.container.ContainerException;
import dev.containerized.container.ExecResult;
import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Processes;
import dev.containerized.internal.text.ControlCharacters;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * One command, from its request to its result. PID 1 reports that it started, failed to start or
 * exited; the container's I/O thread feeds it its output until both pipes reach end of file. The
 * result is complete when both have happened, so it holds all of the output — or, when processes the
 * command left running in the background keep its pipes open, once the I/O thread stops waiting for
 * them ({@link #stopWaitingForOutput}), with all the command itself wrote.
 */
public final class RunningCommand {
    static final int STDOUT = 1;
    static final int STDERR = 2;

    private final int id;
    private final List<String> argv;
    private final FailureContext context;
    private final LongSupplier oomKills;
    private final long oomKillsAtStart;
    private final long startNanos = System.nanoTime();
    private final OutputBuffer stdout;
    private final OutputBuffer stderr;
    private final OutputListener listener;
    private final CompletableFuture<Integer> pid = new CompletableFuture<>();
    private final CompletableFuture<ExecResult> result = new CompletableFuture<>();
    private int openStreams;
    private Integer waitStatus;
    /** What reading the command's stdin stream threw, if it did: the command got end of file there. */
    private Throwable stdinFailure;
    private long stdinBytesBeforeFailure;
    private boolean outputAbandoned;
    private volatile boolean timedOut;

    /**
     * What a message about a command that could not start needs to know.
     *
     * @param firstBytes the first bytes of a file of the container, by its absolute path (empty if none)
     */
    record FailureContext(String path, long pidsLimit, String workingDirectory, MissingInterpreter.FileStart firstBytes) {
    }

    /** Sees output as it arrives, on the container's I/O thread. */
    public interface OutputListener {
        OutputListener NONE = (stream, bytes, length) -> { };

        /** @throws ReaderGone when what the listener relays the stream to is gone (a closed pipe) */
        void output(int stream, byte[] bytes, int length);
    }

    /**
     * Thrown by a listener whose reader is gone (this process's stdout, a pipe {@code head} closed): the
     * container's side stops reading the stream and closes it, so the command's next write fails as it
     * would on the host (EPIPE, or SIGPIPE for a process that is not its container's PID 1).
     */
    public static final class ReaderGone extends RuntimeException {
        public ReaderGone() {
            super(null, null, false, false);
        }
    }

    /**
     * @param outputCharset how the result's stdout and stderr are decoded
     * @param streams       how many output pipes will report their end: 2, or 0 for a command on a terminal
     */
    RunningCommand(int id, List<String> argv, FailureContext context, LongSupplier oomKills, long outputLimit,
                   Charset outputCharset, OutputListener listener, int streams) {
        this.id = id;
        this.openStreams = streams;
        this.argv = List.copyOf(argv);
        this.context = context;
        this.oomKills = oomKills;
        this.oomKillsAtStart = oomKills.getAsLong();
        this.stdout = new OutputBuffer(outputLimit, outputCharset);
        this.stderr = new OutputBuffer(outputLimit, outputCharset);
        this.listener = listener;
    }

    int id() {
        return id;
    }

    public List<String> command() {
        return argv;
    }

    /** Its pid inside the container, once it started; a command that could not start has none. */
    public int pid(Duration timeout) {
        try {
            return pid.get(nanos(timeout), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("interrupted while waiting for the pid of " + argv, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new ContainerException("command " + argv + " has no pid: " + message(e), e);
        }
    }

    /**
     * Waits until the command runs (its execve done) or could not start, at most {@code timeout}: true
     * once either happened. Interrupted, false, with the flag kept.
     */
    public boolean awaitStarted(Duration timeout) {
        try {
            pid.get(nanos(timeout), TimeUnit.NANOSECONDS);
            return true;
        } catch (ExecutionException couldNotStart) {
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean isAlive() {
        return !result.isDone();
    }

    public String stdoutSoFar() {
        return stdout.text();
    }

    public String stderrSoFar() {
        return stderr.text();
    }

    /** The command outlived its timeout and is about to be killed; one that exited meanwhile did not time out. */
    public synchronized void markTimedOut() {
        if (waitStatus == null) {
            timedOut = true;
        }
    }

    /** The result, once complete within {@code timeout}; empty if still running. */
    public java.util.Optional<ExecResult> await(Duration timeout) {
        try {
            return java.util.Optional.of(result.get(nanos(timeout), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("interrupted while " + argv + " ran", e);
        } catch (ExecutionException e) {
            throw new ContainerException("command " + argv + " did not complete: " + message(e), e.getCause());
        }
    }

    /**
     * Runs {@code action} once the command's result is complete, or once it was abandoned with its
     * container: all its output has been seen by then. At once if that has happened already.
     */
    public void whenEnded(Runnable action) {
        result.whenComplete((result, failure) -> action.run());
    }

    CompletableFuture<ExecResult> result() {
        return result;
    }

    synchronized void started(int containerPid) {
        pid.complete(containerPid);
    }

    /** PID 1 could not start it: the result is the shell's answer (126 or 127) with a message on stderr. */
    synchronized void failed(int stage, int errno) {
        byte[] message = ("containerized: " + failureMessage(stage, errno) + "\n").getBytes(StandardCharsets.UTF_8);
        output(STDERR, message, message.length); // kept for the result, and shown by a relaying listener (the run CLI)
        waitStatus = failureStatus(stage, errno) << 8;
        pid.completeExceptionally(new ContainerException("command " + argv + " never started"));
        completeIfDone();
    }

    /** Its process ended; returns whether the result is complete (false while its pipes are still open). */
    synchronized boolean exited(int status) {
        if (waitStatus == null) { // a PID-1 run that failed before its execve exits 127: the failure says more
            waitStatus = status;
        }
        if (!pid.isDone()) { // checked first: an exception's stack trace costs tens of microseconds per command
            pid.completeExceptionally(new ContainerException("command " + argv + " ended before it started"));
        }
        completeIfDone();
        return result.isDone();
    }

    /**
     * The command exited a while ago and processes it started in the background still hold its stdout or
     * stderr: the result comes now, with what was read (they may keep running, as after a shell's "&").
     */
    synchronized void stopWaitingForOutput() {
        outputAbandoned = true;
        completeIfDone();
    }

    /** Keeps the output and hands it on; false once the listener's reader of this stream is gone. */
    boolean output(int stream, byte[] bytes, int length) {
        (stream == STDOUT ? stdout : stderr).append(bytes, length);
        try {
            listener.output(stream, bytes, length);
            return true;
        } catch (ReaderGone gone) {
            return false;
        }
    }

    synchronized void streamClosed() {
        openStreams--;
        completeIfDone();
    }

    /** The container ended under it: the result is an exception that says why. */
    synchronized void abandoned(String why) {
        ContainerException failure = new ContainerException(why);
        pid.completeExceptionally(failure);
        result.completeExceptionally(failure);
    }

    /**
     * Reading its stdin stream failed after {@code bytes} bytes (the stream, or the supplier of it, threw):
     * the command got end of file there and runs on, and its result, once complete, is this failure, so
     * that no test passes on input cut short.
     */
    synchronized void stdinFailed(Throwable failure, long bytes) {
        if (stdinFailure == null) {
            stdinFailure = failure;
            stdinBytesBeforeFailure = bytes;
        }
        completeIfDone();
    }

    private void completeIfDone() {
        if (waitStatus == null || (openStreams > 0 && !outputAbandoned) || result.isDone()) {
            return;
        }
        WaitStatus status = new WaitStatus(waitStatus);
        boolean oomKilled = status.signal().equals(OptionalInt.of(Processes.SIGKILL)) && !timedOut && oomKills.getAsLong() > oomKillsAtStart;
        ExecResult ended = new ExecResult(argv, status.shellStatus(), status.signal(), stdout.text(), stderr.text(),
                Duration.ofNanos(System.nanoTime() - startNanos), timedOut, oomKilled, stdout.dropped(), stderr.dropped());
        if (stdinFailure != null) {
            result.completeExceptionally(new ContainerException("the stdin stream of " + argv + " failed after "
                    + stdinBytesBeforeFailure + " bytes, where the command then read end of file: " + stdinFailure
                    + "; " + ended.describe(), stdinFailure));
            return;
        }
        result.complete(ended);
    }

    /** As a shell says: 127 when there is no such program, 126 when it cannot be run. */
    private static int failureStatus(int stage, int errno) {
        return stage == Pid1Protocol.STAGE_EXEC && (errno == Errno.ENOENT || errno == Errno.ENOTDIR) ? 127 : 126;
    }

    private String failureMessage(int stage, int errno) {
        String program = "\"" + argv.get(0) + "\"";
        if (stage == Pid1Protocol.STAGE_EXEC && errno == Errno.ENOENT) {
            Optional<MissingInterpreter.Explanation> there = MissingInterpreter.explain(argv.get(0), context.workingDirectory(),
                    context.path(), context.firstBytes());
            if (there.isPresent()) {
                String which = argv.get(0).contains("/") ? "it" : ControlCharacters.escape(there.get().path());
                return "exec: " + program + ": " + which + " is there, but " + there.get().why() + ": " + Errno.describe(errno);
            }
            if (!argv.get(0).contains("/")) {
                return "exec: " + program + ": executable file not found in $PATH (" + shortened(context.path()) + ")";
            }
        }
        if (stage == Pid1Protocol.STAGE_EXEC) {
            return "exec: " + program + ": " + Errno.describe(errno);
        }
        if (stage == Pid1Protocol.STAGE_FORK && errno == Errno.EAGAIN && context.pidsLimit() > 0) {
            return "exec: " + program + ": the container is at its pids limit of " + context.pidsLimit() + ": "
                    + Errno.describe(errno);
        }
        if (stage == Pid1Protocol.STAGE_CWD) {
            return "exec: " + program + ": " + SetupSteps.describeStage(stage) + " chdir(\"" + context.workingDirectory()
                    + "\"): " + Errno.describe(errno);
        }
        return "exec: " + program + ": " + SetupSteps.describeStage(stage) + ": " + Errno.describe(errno);
    }

    /** A PATH for a message: a test log needs its start, not 100 KiB of it. */
    private static String shortened(String path) {
        return path.length() <= 1024 ? path : path.substring(0, 1024) + "… (" + path.length() + " characters)";
    }

    /** A timeout in nanoseconds; one beyond Long.MAX_VALUE ns (292 years) is that long, not an ArithmeticException. */
    static long nanos(Duration timeout) {
        return timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : timeout.toNanos();
    }

    private static String message(Exception e) {
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        return cause == null ? e.toString() : String.valueOf(cause.getMessage());
    }
}
