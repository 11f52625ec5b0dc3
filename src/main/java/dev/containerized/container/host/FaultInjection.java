package dev.containerized.container.host;

import dev.containerized.container.ContainerException;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Fault injection for the reliability tests: with {@code -Dcontainerized.fault.stopAt=PHASE}, the thread
 * that reaches {@code PHASE} of a container's start or close prints
 * {@code containerized: fault injection: stopped at PHASE of container ID} on stderr and stays there
 * for good, so that a test can SIGKILL the JVM at exactly that point and check what the next start
 * removes. The property is read once; unset, a check costs the read of a static final boolean.
 */
public final class FaultInjection {
    public static final String PROPERTY = "containerized.fault.stopAt";
    /**
     * With {@code -Dcontainerized.fault.failAt=PHASE}, the step at {@code PHASE} throws instead: for the
     * tests of what a close does when a step of its own fails (the kill of PID 1, say), which nothing
     * else here can make fail.
     */
    public static final String FAIL_PROPERTY = "containerized.fault.failAt";
    /** The start of the message of what a step that {@link #FAIL_PROPERTY} names throws. */
    public static final String FAILED = "containerized: fault injection: failed at ";
    /** The line's start on stderr, for a test to wait for. */
    public static final String STOPPED = "containerized: fault injection: stopped at ";

    /**
     * Where a container's start and close can be stopped, in order; CGROUP (on the starting thread) and
     * UNSHARE (on the container's own) run side by side.
     */
    public enum Phase {
        /** Start: its state directory made and locked; no cgroup yet (its thread may have made its namespaces). */
        STATE_DIRECTORY,
        /** Start: its cgroup made; PID 1 not yet spawned. */
        CGROUP,
        /** Start, on the container's thread: the new namespaces made, the state directory known, nothing mounted. */
        UNSHARE,
        /** Start: everything but /proc mounted in the container's mount namespace. */
        MOUNTS,
        /** Start: PID 1 spawned, not yet configured (outside the cgroup, no /proc). */
        PID1_SPAWNED,
        /** Start: PID 1 joined the cgroup and mounted /proc (CONFIG answered). */
        CONFIG,
        /** Start: PID 1 pivoted into the container's root; the container takes commands. */
        PIVOT,
        /**
         * Close: PID 1 (and so every process of the container) sent SIGKILL, nothing removed yet. As a
         * {@code failAt}, the close fails there, right after the kill, in the same block of the close as
         * the kill: what a kill that throws would leave to the close's {@code finally} blocks.
         */
        CLOSE_PID1_KILLED,
        /** Close: the cgroup removed; the state directory, deleted beside it on another thread, perhaps not yet. */
        CLOSE_CGROUP_REMOVED;

        /** The property's spelling: {@code pid1-spawned}. */
        public String propertyValue() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private static final String VALUE = System.getProperty(PROPERTY);
    private static final String FAIL_VALUE = System.getProperty(FAIL_PROPERTY);
    private static final boolean ARMED = VALUE != null || FAIL_VALUE != null;

    private FaultInjection() {
    }

    /** Called as the container {@code id} reaches {@code phase}; stops or fails there when a property names it. */
    static void reached(Phase phase, String id) {
        if (ARMED) {
            failIfNamed(phase, id);
            stopIfNamed(phase, id);
        }
    }

    private static void failIfNamed(Phase phase, String id) {
        if (FAIL_VALUE != null && named(FAIL_PROPERTY, FAIL_VALUE) == phase) {
            throw new ContainerException(FAILED + phase.propertyValue() + " of container " + id);
        }
    }

    private static Phase named(String property, String value) {
        return Arrays.stream(Phase.values()).filter(p -> p.propertyValue().equals(value.trim())).findFirst()
                .orElseThrow(() -> new ContainerException("-D" + property + "=" + value + " names no phase: use one of "
                        + Arrays.stream(Phase.values()).map(Phase::propertyValue).toList()));
    }

    private static void stopIfNamed(Phase phase, String id) {
        if (VALUE == null || named(PROPERTY, VALUE) != phase) {
            return;
        }
        System.err.println(STOPPED + phase.propertyValue() + " of container " + id);
        System.err.flush();
        while (true) {
            LockSupport.park(); // only a SIGKILL ends this; an interrupt or a spurious wakeup parks again
        }
    }
}
