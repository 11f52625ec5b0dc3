package dev.containerized.container;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Lines on their way to one consumer, on a thread of its own that ends after the last line. The queue
 * is bounded by lines and by characters: a consumer that falls {@value #QUEUE} lines or
 * {@value #QUEUE_CHARS} characters behind loses the lines that do not fit, and is told how many at the
 * next line it gets (or last, when the output ended meanwhile), rather than the test JVM running out of
 * memory. The container's close gives it a moment to take what is there, then cuts it off
 * ({@link LineDeliveries}): no consumer is called long after its test.
 * <p>
 * The bound in characters is the one that holds the heap: a line is cut at 16 Ki characters, a String
 * of up to 32 KiB, so 10,000 such lines would be 320 MiB for one slow consumer. {@value #QUEUE_CHARS} characters are at most
 * 8 MiB of heap per consumer.
 */
final class LineDelivery {
    static final int QUEUE = 10_000;
    static final long QUEUE_CHARS = 4L * 1024 * 1024;
    private static final OutputLine END = new OutputLine(OutputLine.Source.STDOUT, "");

    /** Room for QUEUE lines, the last gap's note and END. */
    private final BlockingQueue<OutputLine> queue = new ArrayBlockingQueue<>(QUEUE + 2);
    private final Thread thread;
    private final Consumer<OutputLine> consumer;
    private final LineDeliveries owner;
    /** Characters of the lines in the queue: added by the producer, taken off by the delivery thread. */
    private final AtomicLong queuedChars = new AtomicLong();
    private long dropped;
    /** Set by the container's close once its time to take what was there ran out: no line is handed over after it. */
    private volatile boolean cutOff;

    LineDelivery(String name, Consumer<OutputLine> consumer, LineDeliveries owner) {
        this.consumer = consumer;
        this.owner = owner;
        this.thread = new Thread(this::deliver, name);
        this.thread.setDaemon(true);
    }

    void start() {
        owner.add(this);
        thread.start();
    }

    /** Called with the lines' lock held (one producer), never blocks. */
    void offer(OutputLine line) {
        if (cutOff) {
            return;
        }
        OutputLine gap = dropped > 0 ? gap(line.source()) : null;
        int needed = gap != null ? 2 : 1;
        long neededChars = line.text().length() + (gap != null ? gap.text().length() : 0);
        if (queue.size() + needed > QUEUE || queuedChars.get() + neededChars > QUEUE_CHARS) {
            dropped++;
            return;
        }
        if (gap != null) {
            // Said where the gap is, in the stream of lines the consumer reads.
            enqueue(gap);
            dropped = 0;
        }
        enqueue(line);
    }

    private void enqueue(OutputLine line) {
        queuedChars.addAndGet(line.text().length()); // before it is visible, so the consumer never takes off more than was added
        queue.add(line);
    }

    private OutputLine gap(OutputLine.Source source) {
        return new OutputLine(source, "[containerized: " + dropped + " lines dropped here: the line consumer was too slow]");
    }

    /** The output ended: what is queued is handed over, then the gap at its end if lines were dropped there. */
    void end() {
        if (dropped > 0 && !cutOff) {
            enqueue(gap(OutputLine.Source.STDOUT)); // the queue keeps a place free for this note and for END
            dropped = 0;
        }
        queue.offer(END);
    }

    /**
     * Waits until every line is handed over (its output ended), or until {@code deadline}
     * ({@link System#nanoTime}); not on its own thread, whose consumer may be what closes the container.
     */
    void awaitEnd(long deadline) {
        if (Thread.currentThread() == thread) {
            return;
        }
        long left = deadline - System.nanoTime();
        try {
            if (left > 0) {
                thread.join(Math.max(1, left / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * No line is handed over from now on; the line the consumer may be handling right now is its last,
     * and a consumer still busy with it is interrupted, as an executor's shutdownNow does, so that one
     * blocked (on a full queue of its own, say) lets its thread end. Like any interrupt, it closes an
     * interruptible channel the consumer is writing to at that moment.
     */
    void cutOff() {
        cutOff = true;
        queue.clear();
        queuedChars.set(0);
        queue.offer(END); // wakes a delivery thread waiting for a line
        if (thread.isAlive() && Thread.currentThread() != thread) {
            thread.interrupt();
        }
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
            while ((line = queue.take()) != END && !cutOff) {
                queuedChars.addAndGet(-line.text().length());
                try {
                    consumer.accept(line);
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable e) { // an Error of the consumer's own too: it must not end the delivery
                    if (cutOff) {
                        break; // interrupted at the close's cut: no failure of its own
                    }
                    if (failures++ == 0) {
                        log.log(System.Logger.Level.WARNING, "a line consumer of " + thread.getName()
                                + " failed; it gets the next lines anyway", e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            owner.remove(this);
        }
        if (failures > 1) {
            log.log(System.Logger.Level.WARNING, "the line consumer of " + thread.getName() + " failed on " + failures + " lines");
        }
    }
}
