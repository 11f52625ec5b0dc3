package dev.containerized.container;

import dev.containerized.container.host.RunningCommand;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A background command's output as lines, while it runs: cut per stream as chunks arrive on the
 * container's I/O thread, the recent ones kept, matched against what waits for a line, and handed to
 * line consumers. Nothing of a user's runs on the I/O thread: consumers get their lines on a thread of
 * their own ({@link LineDelivery}), so a slow one holds up neither the container's other output nor
 * its commands' results.
 */
final class OutputLines implements RunningCommand.OutputListener {
    /** Lines kept for waits that start late, for consumers added late, and for failure messages. */
    static final int KEPT_LINES = 1000;
    private static final int KEPT_CHARS = 256 * 1024;

    /** A wait for a line matching a pattern. */
    private record Watch(Pattern pattern, CompletableFuture<OutputLine> found) {
    }

    private final String name;
    private final LineSplitter stdout;
    private final LineSplitter stderr;
    private final ArrayDeque<OutputLine> recent = new ArrayDeque<>();
    private final List<Watch> watches = new ArrayList<>();
    private final List<LineDelivery> deliveries = new ArrayList<>();
    private final LineDeliveries deliveryRegistry;
    private long keptChars;
    private long count;
    private int nextDelivery;
    private boolean ended;

    /**
     * @param name       names the delivery threads: {@code <name>-lines-<n>}
     * @param charset    how the command's output is decoded ({@link Exec#outputCharset})
     * @param deliveries the container's, which its close finishes
     */
    OutputLines(String name, Charset charset, LineDeliveries deliveries) {
        this.name = name;
        this.deliveryRegistry = deliveries;
        this.stdout = new LineSplitter(OutputLine.Source.STDOUT, charset);
        this.stderr = new LineSplitter(OutputLine.Source.STDERR, charset);
    }

    /** Output of a command that is not followed line by line: no lines, ended from the start. */
    static OutputLines none() {
        OutputLines none = new OutputLines("none", StandardCharsets.UTF_8, new LineDeliveries());
        none.ended = true;
        return none;
    }

    @Override
    public synchronized void output(int stream, byte[] bytes, int length) {
        (stream == 1 ? stdout : stderr).accept(bytes, length, this::line);
    }

    /** Whether the output ended (or was never followed: {@link #none()}). */
    synchronized boolean isEnded() {
        return ended;
    }

    /** The command's output ended (or the container did): the last partial lines count, waits stop. */
    synchronized void end() {
        if (ended) {
            return;
        }
        stdout.finish(this::line);
        stderr.finish(this::line);
        ended = true;
        for (Watch watch : watches) {
            watch.found.completeExceptionally(new Ended());
        }
        watches.clear();
        deliveries.forEach(LineDelivery::end);
        deliveries.clear();
    }

    /** How a watch ends when the output ended without a matching line. */
    static final class Ended extends Exception {
        Ended() {
            super("the output ended", null, false, false);
        }
    }

    private void line(OutputLine line) {
        count++;
        recent.addLast(line);
        keptChars += line.text().length();
        while (recent.size() > KEPT_LINES || keptChars > KEPT_CHARS) {
            keptChars -= recent.removeFirst().text().length();
        }
        for (Iterator<Watch> it = watches.iterator(); it.hasNext(); ) {
            Watch watch = it.next();
            if (watch.found.isDone()) {
                it.remove(); // cancelled: its waiter gave up
            } else if (watch.pattern.matcher(line.text()).find()) {
                watch.found.complete(line);
                it.remove();
            }
        }
        for (LineDelivery delivery : deliveries) {
            delivery.offer(line);
        }
    }

    /**
     * The first kept or later line in which {@code pattern} is found; completes exceptionally with
     * {@link Ended} when the output ends without one. Cancel it to stop watching.
     */
    synchronized CompletableFuture<OutputLine> watch(Pattern pattern) {
        CompletableFuture<OutputLine> found = new CompletableFuture<>();
        for (OutputLine line : recent) {
            if (pattern.matcher(line.text()).find()) {
                found.complete(line);
                return found;
            }
        }
        if (ended) {
            found.completeExceptionally(new Ended());
        } else {
            watches.add(new Watch(pattern, found));
        }
        return found;
    }

    /**
     * Hands every kept line and every later one to {@code consumer}, in order, on a thread of its own;
     * lines no longer kept are said first, in one line of their count, as lines a slow consumer lost are.
     */
    synchronized void subscribe(Consumer<OutputLine> consumer) {
        LineDelivery delivery = new LineDelivery(name + "-lines-" + ++nextDelivery, consumer, deliveryRegistry);
        long notKept = count - recent.size();
        if (notKept > 0) {
            delivery.offer(new OutputLine(OutputLine.Source.STDOUT, "[containerized: " + notKept + " earlier lines were not"
                    + " kept: onLine came after them; execInBackground(exec, onLine) follows a command from its first line]"));
        }
        recent.forEach(delivery::offer);
        if (ended) {
            delivery.end();
        } else {
            deliveries.add(delivery);
        }
        delivery.start();
    }

    synchronized List<OutputLine> recent() {
        return List.copyOf(recent);
    }

    /** How many lines there were in all, kept or not. */
    synchronized long count() {
        return count;
    }

}
