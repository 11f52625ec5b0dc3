package dev.containerized.container.net;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many connections the forwarders it is given may relay at once, all together, and how long a relay
 * whose client has ended may wait for its target's end. Each relay costs the test JVM two sockets and,
 * while bytes flow, two pipes, so a process inside a container that opens connections to an exposed
 * host port without end would otherwise take every descriptor of the test JVM (attack run 6, F2).
 * Shared by the forwarders on several threads.
 */
final class RelaySlots {
    /**
     * Connections a container may have open at once to the host ports it was given (exposeHostPort), all
     * ports together: at most about 1,500 descriptors of the test JVM. Far more than a test's connection
     * pool needs; a connection beyond it is reset as soon as it is accepted.
     */
    static final int EXPOSED_MAX = 256;
    /**
     * How long a relay of an exposed port may move nothing once the container's side ended (closed, or
     * shut down its output) before it is cut: a host service still answering is never cut, one silent
     * that long is. Without it a host service that neither answers nor closes would hold the relays of a
     * process that died.
     */
    static final Duration EXPOSED_GRACE = Duration.ofSeconds(30);

    private final int max;
    private final Duration grace;
    private final AtomicInteger used = new AtomicInteger();

    /**
     * @param max   relays at once; {@link Integer#MAX_VALUE} for no bound
     * @param grace how long a relay whose client ended waits for its target's end; null for as long as it takes
     */
    RelaySlots(int max, Duration grace) {
        this.max = max;
        this.grace = grace;
    }

    /** For the test's own connections into a container (hostPort): the test bounds them itself. */
    static RelaySlots unbounded() {
        return new RelaySlots(Integer.MAX_VALUE, null);
    }

    /** For one container's exposed host ports, shared by all of them. */
    static RelaySlots exposed() {
        return new RelaySlots(EXPOSED_MAX, EXPOSED_GRACE);
    }

    /** Takes a slot for a new relay; false when all are taken (the connection must be refused). */
    boolean tryTake() {
        while (true) {
            int now = used.get();
            if (now >= max) {
                return false;
            }
            if (used.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Gives back the slot of a relay that closed. */
    void give() {
        used.decrementAndGet();
    }

    int max() {
        return max;
    }

    int used() {
        return used.get();
    }

    /** Null when relays wait for their target's end for as long as it takes. */
    Duration grace() {
        return grace;
    }
}
