package dev.containerized.reliability;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the reliability suite did, summed over its tests (and, in the soak, over its rounds): containers
 * run (in this JVM and in the JVMs it started), faults injected, bad inputs tried.
 */
final class Tally {
    static final AtomicLong CONTAINERS = new AtomicLong();
    static final AtomicLong FAULTS = new AtomicLong();
    static final AtomicLong BAD_INPUTS = new AtomicLong();

    private Tally() {
    }

    static void containers(long n) {
        CONTAINERS.addAndGet(n);
    }

    static void faults(long n) {
        FAULTS.addAndGet(n);
    }

    static void badInputs(long n) {
        BAD_INPUTS.addAndGet(n);
    }

    static String line() {
        return "containers run " + CONTAINERS + ", faults injected " + FAULTS + ", bad inputs tried " + BAD_INPUTS;
    }
}
