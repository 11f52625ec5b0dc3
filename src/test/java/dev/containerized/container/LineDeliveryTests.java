package dev.containerized.container;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A slow line consumer's queue, without a container. Attack run 6, F3: lines of 16 KiB of bytes that
 * are not UTF-8 become Strings of 16 Ki replacement characters, and 10,000 of them (the bound in lines)
 * were 320 MiB of heap for one consumer, which took the container's I/O thread down.
 */
class LineDeliveryTests {
    private static final String NOT_UTF8_LINE = "\uFFFD".repeat(16 * 1024);
    private static final int FLOOD = 1000; // far fewer lines than the bound in lines, 4 times the bound in characters

    @Test
    void aSlowConsumerIsHeldToItsBoundInCharactersAndToldWhatItLost() throws Exception {
        CountDownLatch slow = new CountDownLatch(1);
        AtomicBoolean consuming = new AtomicBoolean();
        List<String> received = new CopyOnWriteArrayList<>();
        String name = "line-delivery-test-" + System.nanoTime();
        LineDelivery delivery = new LineDelivery(name, line -> {
            consuming.set(true);
            received.add(line.text());
            await(slow);
            consuming.set(false);
        }, new LineDeliveries());
        delivery.start();
        for (int i = 0; i < FLOOD; i++) {
            // The same String each time costs this test nothing; the queue counts its characters all the same.
            delivery.offer(new OutputLine(OutputLine.Source.STDOUT, NOT_UTF8_LINE));
        }
        Thread thread = threadNamed(name);
        while (!consuming.get()) { // the consumer holds the first line: the others queue
            Thread.sleep(1);
        }
        slow.countDown();
        awaitIdle(thread, consuming); // the consumer took everything queued and waits for more
        delivery.offer(new OutputLine(OutputLine.Source.STDOUT, "after the flood"));
        delivery.end();
        thread.join(Duration.ofSeconds(10).toMillis());

        long floodLines = received.stream().filter(NOT_UTF8_LINE::equals).count();
        assertThat(floodLines * NOT_UTF8_LINE.length()).as("characters handed over")
                .isLessThanOrEqualTo(LineDelivery.QUEUE_CHARS + NOT_UTF8_LINE.length()); // the one the consumer held
        assertThat(received.subList(received.size() - 2, received.size()).stream().map(LineDeliveryTests::shortened)).containsExactly(
                "[containerized: " + (FLOOD - floodLines) + " lines dropped here: the line consumer was too slow]",
                "after the flood");
    }

    @Test
    void aConsumerThatKeepsUpGetsEveryLine() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        String name = "line-delivery-test-" + System.nanoTime();
        LineDelivery delivery = new LineDelivery(name, line -> received.add(line.text()), new LineDeliveries());
        delivery.start();
        Thread thread = threadNamed(name);
        for (int i = 0; i < 3; i++) {
            delivery.offer(new OutputLine(OutputLine.Source.STDOUT, "line " + i));
        }
        delivery.end();
        thread.join(Duration.ofSeconds(10).toMillis());
        assertThat(received).containsExactly("line 0", "line 1", "line 2");
    }

    /** The lines dropped at the output's very end were never said, there being no next line to say it in. */
    @Test
    void linesDroppedAtTheEndAreToldInALastLine() throws Exception {
        CountDownLatch slow = new CountDownLatch(1);
        List<String> received = new CopyOnWriteArrayList<>();
        String name = "line-delivery-test-" + System.nanoTime();
        LineDelivery delivery = new LineDelivery(name, line -> {
            await(slow);
            received.add(line.text());
        }, new LineDeliveries());
        delivery.start();
        int lines = LineDelivery.QUEUE + 500;
        for (int i = 1; i <= lines; i++) {
            delivery.offer(new OutputLine(OutputLine.Source.STDOUT, Integer.toString(i)));
        }
        delivery.end();
        slow.countDown();
        Thread thread = threadNamed(name);
        thread.join(Duration.ofSeconds(10).toMillis());
        int handedOver = received.size() - 1;
        assertThat(received.get(received.size() - 1))
                .isEqualTo("[containerized: " + (lines - handedOver) + " lines dropped here: the line consumer was too slow]");
        assertThat(received.get(received.size() - 2)).isEqualTo(Integer.toString(handedOver));
    }

    /**
     * A slow consumer went on being called for minutes after its container's
     * close, into the tests that followed. The close waits a moment, then cuts it off.
     */
    @Test
    void aCloseCutsASlowConsumerOffAfterItsMoment() throws Exception {
        LineDeliveries deliveries = new LineDeliveries();
        List<String> received = new CopyOnWriteArrayList<>();
        String name = "line-delivery-test-" + System.nanoTime();
        LineDelivery delivery = new LineDelivery(name, line -> {
            received.add(line.text());
            sleep(20);
        }, deliveries);
        delivery.start();
        for (int i = 0; i < 1000; i++) { // 20 s of work for the consumer
            delivery.offer(new OutputLine(OutputLine.Source.STDOUT, "line " + i));
        }
        delivery.end();
        Thread thread = threadNamed(name);

        long start = System.nanoTime();
        deliveries.finishAtClose();
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        int atClose = received.size();
        thread.join(Duration.ofSeconds(5).toMillis());

        assertThat(tookMillis).as("the close's wait").isBetween(LineDeliveries.AT_CLOSE.toMillis() - 50, 5_000L);
        assertThat(thread.isAlive()).as("the delivery thread after the cut").isFalse();
        assertThat(received.size()).as("lines after the cut: at most the one being handled").isBetween(atClose, atClose + 1);
        assertThat(received.size()).isLessThan(1000);
    }

    /** A consumer blocked for good (on a queue of its own, say) is interrupted at the cut, and its thread ends. */
    @Test
    void aCloseInterruptsAConsumerThatIsStillBusyAfterItsMoment() throws Exception {
        LineDeliveries deliveries = new LineDeliveries();
        CountDownLatch never = new CountDownLatch(1);
        String name = "line-delivery-test-" + System.nanoTime();
        LineDelivery delivery = new LineDelivery(name, line -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, deliveries);
        delivery.start();
        delivery.offer(new OutputLine(OutputLine.Source.STDOUT, "the line it blocks on"));
        delivery.end();
        Thread thread = threadNamed(name);
        deliveries.finishAtClose();
        thread.join(Duration.ofSeconds(5).toMillis());
        assertThat(thread.isAlive()).as("the blocked consumer's thread after the cut").isFalse();
    }

    /** A consumer that keeps up loses nothing to a close: it took every line before the moment ran out. */
    @Test
    void aCloseLetsAConsumerThatKeepsUpTakeEveryLine() throws Exception {
        LineDeliveries deliveries = new LineDeliveries();
        List<String> received = new CopyOnWriteArrayList<>();
        LineDelivery delivery = new LineDelivery("line-delivery-test-" + System.nanoTime(), line -> received.add(line.text()), deliveries);
        delivery.start();
        for (int i = 0; i < 1000; i++) {
            delivery.offer(new OutputLine(OutputLine.Source.STDOUT, "line " + i));
        }
        delivery.end();
        deliveries.finishAtClose();
        assertThat(received).hasSize(1000).endsWith("line 999");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String shortened(String line) {
        return line.length() > 200 ? "<a line of " + line.length() + " characters>" : line;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread threadNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no thread " + name + ": the delivery ended already?"));
    }

    /** Until the delivery thread waits for a line: out of the consumer (which waits too, while held) and parked. */
    private static void awaitIdle(Thread thread, AtomicBoolean consuming) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (consuming.get() || thread.getState() != Thread.State.WAITING) {
            assertThat(System.nanoTime() - deadline).as("the consumer never went idle").isNegative();
            Thread.sleep(5);
        }
    }
}
