package dev.containerized.container;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Carries out a {@link Wait} on a container: polls a port or a health check, or listens for a line,
 * until it holds or its time is up. A failed wait says what it waited for, for how long, what it saw
 * last, and what the container's background commands said: usually the server's own explanation.
 */
final class Waiting {
    private static final long PORT_INTERVAL_MILLIS = 25;
    private static final long COMMAND_INTERVAL_MILLIS = 200;
    private static final long LINE_SLICE_MILLIS = 100;
    /** A health check is not started with less time than this left: it could not finish. */
    private static final long MINIMUM_RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Container container;
    private final Wait wait;
    private final long started;
    private final long deadline;

    private Waiting(Container container, Wait wait) {
        this.container = container;
        this.wait = wait;
        this.started = System.nanoTime();
        this.deadline = started + wait.timeout().toNanos();
    }

    static void await(Container container, Wait wait) {
        Waiting waiting = new Waiting(container, wait);
        switch (wait.kind()) {
            case PORT -> waiting.port();
            case LOG_LINE -> waiting.logLine();
            case COMMAND -> waiting.command();
        }
    }

    private void port() {
        while (!container.acceptsConnections(wait.port())) {
            if (everyBackgroundCommandFailed()) {
                throw failure("every background command ended, none with success: nothing is left to open it");
            }
            pauseOrFail(PORT_INTERVAL_MILLIS, "nothing accepted a connection there");
        }
    }

    /**
     * Whether background commands were started and each has ended with a failure: the server crashed.
     * One that ended with success keeps the wait going: a daemon's parent exits 0 and leaves its server
     * behind, which opens the port later.
     */
    private boolean everyBackgroundCommandFailed() {
        List<BackgroundProcess> started = container.commandRegistry().list();
        return !started.isEmpty()
                && started.stream().allMatch(p -> p.resultIfEnded().map(result -> !result.succeeded()).orElse(false));
    }

    private void command() {
        ExecResult last = null;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left < MINIMUM_RUN_NANOS && last != null) {
                break;
            }
            ExecResult result = container.exec(Duration.ofNanos(Math.max(MINIMUM_RUN_NANOS, left)), wait.command().toArray(String[]::new));
            if (result.succeeded()) {
                return;
            }
            // A run cut short by the deadline says less than the one before it.
            last = result.timedOut() && last != null ? last : result;
            if (!pause(COMMAND_INTERVAL_MILLIS)) {
                break;
            }
        }
        throw failure("its last run " + last.describe().replaceFirst("^command \\[[^\\n]*?\\] ", ""));
    }

    private void logLine() {
        Map<BackgroundProcess, CompletableFuture<OutputLine>> watches = new IdentityHashMap<>();
        try {
            while (true) {
                for (BackgroundProcess process : container.commandRegistry().list()) {
                    watches.computeIfAbsent(process, p -> p.lines().watch(wait.pattern()));
                }
                List<CompletableFuture<OutputLine>> open = new ArrayList<>();
                for (CompletableFuture<OutputLine> watch : watches.values()) {
                    if (watch.isDone() && !watch.isCompletedExceptionally()) {
                        return;
                    }
                    if (!watch.isDone()) {
                        open.add(watch);
                    }
                }
                if (!watches.isEmpty() && open.isEmpty()) {
                    throw failure("the output of every background command ended without such a line");
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw failure(watches.isEmpty() ? "no background command was started" : "no such line came");
                }
                awaitAny(open);
            }
        } finally {
            watches.values().forEach(w -> w.cancel(false));
        }
    }

    /** Waits a slice of time for any of {@code watches}, so that commands started meanwhile are heard too. */
    private void awaitAny(List<CompletableFuture<OutputLine>> watches) {
        long slice = Math.min(TimeUnit.MILLISECONDS.toNanos(LINE_SLICE_MILLIS), Math.max(0, deadline - System.nanoTime()));
        try {
            CompletableFuture.anyOf(watches.toArray(CompletableFuture[]::new)).get(Math.max(1, slice), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // The loop looks at each watch again.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("interrupted while waiting for " + wait + " in container " + container.id(), e);
        }
    }

    private void pauseOrFail(long millis, String lastSeen) {
        if (!pause(millis)) {
            throw failure(lastSeen);
        }
    }

    /** Sleeps up to {@code millis}, never past the deadline; false when the deadline has passed. */
    private boolean pause(long millis) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        try {
            Thread.sleep(Math.min(millis, TimeUnit.NANOSECONDS.toMillis(left) + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("interrupted while waiting for " + wait + " in container " + container.id(), e);
        }
        return true;
    }

    /** Said as a timeout once the time is up, and as giving up early when nothing could come any more (the server exited). */
    private ContainerException failure(String lastSeen) {
        String output = container.commandRegistry().describe();
        long now = System.nanoTime();
        String what = now - deadline >= 0
                ? "waited " + format(wait.timeout()) + " for " + wait + ", in vain"
                : "stopped waiting for " + wait + " after " + format(Duration.ofNanos(now - started)) + " of " + format(wait.timeout());
        String ended = container.whyEnded().map(why -> " (the container ended because " + why + ")").orElse("");
        return new ContainerException("container " + container.id() + ": " + what + ": " + lastSeen + ended + ".\n"
                + (output.isEmpty() ? "No background command was started in it." : "Its background commands:\n" + output));
    }

    /** 2 s, 1.5 s, 250 ms. */
    static String format(Duration d) {
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
