package dev.containerized.container;

import dev.containerized.container.host.HostContainer;
import dev.containerized.container.host.RunningCommand;
import dev.containerized.internal.linux.Processes;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A command running in a container, started by {@link Container#execInBackground(String...)}. It leads
 * its own session, so a signal reaches the command and the processes it started.
 */
public final class BackgroundProcess {
    private static final Duration AFTER_KILL = Duration.ofSeconds(10);

    private final HostContainer container;
    private final RunningCommand command;
    private final Duration timeout;
    private final OutputLines lines;

    /**
     * @param timeout how long {@link #await()} waits
     * @param lines   sees the command's output (its request's listener); ended with the command
     */
    BackgroundProcess(HostContainer container, RunningCommand command, Duration timeout, OutputLines lines) {
        this.container = container;
        this.command = command;
        this.timeout = timeout;
        this.lines = lines;
        command.whenEnded(lines::end);
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
        signal(Processes.SIGKILL);
    }

    /** What it wrote to stdout so far. */
    public String stdoutSoFar() {
        return command.stdoutSoFar();
    }

    /** What it wrote to stderr so far. */
    public String stderrSoFar() {
        return command.stderrSoFar();
    }

    /** Waits for the end of the command, at most its timeout (the {@link Exec}'s, else the container's exec timeout). */
    public ExecResult await() {
        return await(timeout);
    }

    /**
     * Waits until the command writes a line, on stdout or stderr, in which {@code regex} is found
     * ({@link java.util.regex.Matcher#find()}), and returns that line. Lines written before the call
     * count too: the last {@value OutputLines#KEPT_LINES} are kept.
     *
     * @throws ContainerException when no such line came within {@code timeout}, or the output ended
     *                            without one; the message shows how the command stands and its last lines
     */
    public String awaitLine(String regex, Duration timeout) {
        return awaitLine(Pattern.compile(regex), timeout);
    }

    /** As {@link #awaitLine(String, Duration)}, with a compiled pattern. */
    public String awaitLine(Pattern pattern, Duration timeout) {
        CompletableFuture<OutputLine> found = lines.watch(pattern);
        try {
            return found.get(timeout.toNanos(), TimeUnit.NANOSECONDS).text();
        } catch (TimeoutException e) {
            throw new ContainerException("command " + command() + " wrote no line matching \"" + pattern + "\" within "
                    + Waiting.format(timeout) + " " + stateAndTail(20), e);
        } catch (ExecutionException e) {
            throw new ContainerException("command " + command() + " wrote no line matching \"" + pattern
                    + "\" before its output ended " + stateAndTail(20), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("interrupted while waiting for a line of " + command() + " matching \"" + pattern + "\"", e);
        } finally {
            found.cancel(false);
        }
    }

    /**
     * Hands each line the command writes, on stdout or stderr, to {@code consumer}, in order: the kept
     * recent ones first (the last {@value OutputLines#KEPT_LINES}; a line says how many earlier ones were
     * no longer kept), then every new one as it comes, until the output ends. Lines arrive on a thread of
     * the consumer's own, so a slow consumer holds nothing else up; one that falls
     * {@value LineDelivery#QUEUE} lines or {@value LineDelivery#QUEUE_CHARS} characters behind (at most
     * 8 MiB of heap) loses the lines that do not fit and is told how many, in the next line it gets (or
     * in a last one, when the output ended meanwhile). The container's close gives consumers up to a
     * second to take the lines already there, then calls none again. {@link Container#execInBackground(Exec, Consumer)}
     * follows a command from its first line.
     */
    public void onLine(Consumer<OutputLine> consumer) {
        lines.subscribe(java.util.Objects.requireNonNull(consumer, "consumer"));
    }

    OutputLines lines() {
        return lines;
    }

    /** Its last lines, at most {@value OutputLines#KEPT_LINES}, stdout and stderr in the order they came. */
    public List<OutputLine> recentLines() {
        return lines.recent();
    }

    /** Its command, whether it runs or how it ended, and its last lines: for failure messages. */
    String describe(int lastLines) {
        return command() + " " + stateAndTail(lastLines);
    }

    /**
     * "(running), its output:" and the lines, or "(exited with status 3), no output"; what it wrote after
     * its last newline (a prompt, a line still being written) follows, marked as unfinished.
     */
    private String stateAndTail(int lastLines) {
        List<OutputLine> recent = lines.recent();
        List<OutputLine> tail = recent.subList(Math.max(0, recent.size() - lastLines), recent.size());
        // Once the output has ended, its last partial lines are lines of the tail.
        String unfinished = isAlive() ? unfinished("out", command.stdoutSoFar()) + unfinished("err", command.stderrSoFar()) : "";
        StringBuilder s = new StringBuilder(state());
        if (tail.isEmpty()) {
            return s.append(unfinished.isEmpty() ? ", no output" : ", no whole line yet:").append(unfinished).toString();
        }
        s.append(tail.size() < lines.count() ? ", its last " + tail.size() + " lines:" : ", its output:");
        tail.forEach(line -> s.append("\n    ").append(line));
        return s.append(unfinished).toString();
    }

    /** The text after the last newline of a stream, as a line of the tail marked unfinished; "" when none. */
    private static String unfinished(String stream, String output) {
        String rest = output.substring(output.lastIndexOf('\n') + 1);
        return rest.isEmpty() ? "" : "\n    " + stream + "| " + rest + " (unfinished: no newline yet)";
    }

    private String state() {
        try {
            return command.await(Duration.ZERO).map(BackgroundProcess::ending).orElseGet(() -> "(running)");
        } catch (ContainerException e) {
            return "(ended with its container" + container.whyEnded().map(why -> ", which ended because " + why).orElse("") + ")";
        }
    }

    /** How it ended, without waiting (and without killing it, as {@link #await(Duration)} would); empty while it runs. */
    Optional<ExecResult> resultIfEnded() {
        try {
            return command.await(Duration.ZERO);
        } catch (ContainerException endedWithItsContainer) {
            return Optional.empty();
        }
    }

    private static String ending(ExecResult result) {
        if (result.signal().isPresent()) {
            return "(killed by signal " + result.signal().getAsInt() + (result.oomKilled() ? ", OOM killer" : "") + ")";
        }
        return "(exited with status " + result.exitCode() + ")";
    }

    /**
     * Waits for the end of the command and of its output. A command still running after {@code timeout}
     * is killed with its process group, and its result says {@code timedOut}: for every thread waiting on
     * it, whatever their own timeouts ({@link #awaitWithin} waits without ending it). If the waiting thread
     * is interrupted (a test's own timeout), the command is killed and the interrupt kept.
     */
    public ExecResult await(Duration timeout) {
        ContainerSpec.checkTimeout("timeout", timeout);
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

    /**
     * Waits at most {@code timeout} (zero: not at all) for the end of the command and of its output, as
     * {@link Process#waitFor(long, TimeUnit)} does: empty if it still runs then, and it runs on (where
     * {@link #await(Duration)} would kill it). An interrupt of the waiting thread ends the wait with a
     * {@link ContainerException}, the interrupt kept, and leaves the command alone too.
     */
    public Optional<ExecResult> awaitWithin(Duration timeout) {
        if (Objects.requireNonNull(timeout, "timeout").isNegative()) {
            throw new IllegalArgumentException("awaitWithin's timeout is negative (" + timeout + "): give Duration.ZERO to look "
                    + "without waiting");
        }
        return command.await(timeout);
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
