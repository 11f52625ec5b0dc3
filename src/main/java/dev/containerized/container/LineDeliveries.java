package dev.containerized.container;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The line deliveries of one container's commands that still run. A slow consumer can be thousands of
 * lines behind when its container closes, and would go on being called during the tests that follow,
 * into their time and their logs: the close lets every consumer take what is there for
 * {@link #AT_CLOSE}, as a log consumer expects the last lines of a container that stopped, then cuts
 * the rest off.
 */
final class LineDeliveries {
    /** How long a close waits for consumers to take the lines already there, all of them together. */
    static final Duration AT_CLOSE = Duration.ofSeconds(1);

    private final Set<LineDelivery> running = ConcurrentHashMap.newKeySet();

    void add(LineDelivery delivery) {
        running.add(delivery);
    }

    void remove(LineDelivery delivery) {
        running.remove(delivery);
    }

    /** Once the container's commands ended: their consumers take what is queued, until {@link #AT_CLOSE} ran out. */
    void finishAtClose() {
        long deadline = System.nanoTime() + AT_CLOSE.toNanos();
        List<LineDelivery> all = List.copyOf(running);
        all.forEach(delivery -> delivery.awaitEnd(deadline));
        all.forEach(LineDelivery::cutOff);
    }
}
