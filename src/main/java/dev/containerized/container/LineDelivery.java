package dev.containerized.container;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * Lines on their way to one consumer, on a thread of its own that ends after the last line. The queue
 * is bounded: a consumer that falls {@value #QUEUE} lines behind loses the lines that do not fit, and
 * is told how many at the next line it gets, rather than the test JVM running out of memory.
 */
final class LineDelivery {
    private static final int QUEUE = 10_000;
    private static final OutputLine END = new OutputLine(OutputLine.Source.STDOUT, "");

    private final BlockingQueue<OutputLine> queue = new ArrayBlockingQueue<>(QUEUE + 1);
    private final Thread thread;
    private final Consumer<OutputLine> consumer;
    private long dropped;

    LineDelivery(String name, Consumer<OutputLine> consumer) {
        this.consumer = consumer;
        this.thread = new Thread(this::deliver, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Called with the lines' lock held (one producer), never blocks. */
    void offer(OutputLine line) {
        int needed = dropped > 0 ? 2 : 1;
        if (queue.size() + needed > QUEUE) {
            dropped++;
            return;
        }
        if (dropped > 0) {
            // Said where the gap is, in the stream of lines the consumer reads.
            queue.add(new OutputLine(line.source(), "[containerized: " + dropped
                    + " lines dropped here: the line consumer was too slow]"));
            dropped = 0;
        }
        queue.add(line);
    }

    void end() {
        queue.offer(END); // the queue keeps one place free for this
    }

    /**
     * Hands the lines over. A consumer that throws (an AssertionError, as a test's consumer would) gets
     * the next lines anyway; its first failure is logged with its stack trace, later ones are counted
     * and said once, at the end of the output.
     */
    private void deliver() {
        System.Logger log = System.getLogger(LineDelivery.class.getName());
        long failures = 0;
        try {
            OutputLine line;
            while ((line = queue.take()) != END) {
                try {
                    consumer.accept(line);
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable e) { // an Error of the consumer's own too: it must not end the delivery
                    if (failures++ == 0) {
                        log.log(System.Logger.Level.WARNING, "a line consumer of " + thread.getName()
                                + " failed; it gets the next lines anyway", e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failures > 1) {
            log.log(System.Logger.Level.WARNING, "the line consumer of " + thread.getName() + " failed on " + failures + " lines");
        }
    }
}
