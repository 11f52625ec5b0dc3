package dev.containerized.container.host;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * This JVM's containers not yet closed, closed by a shutdown hook when the JVM ends with some still
 * open: a CI job cancelled (SIGTERM), Ctrl-C without a terminal (SIGINT), System.exit in a test. Their
 * PID 1 would die with the JVM anyway, but their state directories and cgroups would stay until another
 * run's sweep. SIGKILL runs no hook: there, PDEATHSIG and that sweep are all there is.
 */
final class OpenContainers {
    private static final Set<HostContainer> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOKED = new AtomicBoolean();

    private OpenContainers() {
    }

    static void add(HostContainer container) {
        if (HOOKED.compareAndSet(false, true)) {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(OpenContainers::closeAll, "containerized-shutdown"));
            } catch (IllegalStateException shuttingDown) {
                // A container started while the JVM ends: the sweep of the next run removes what it leaves.
            }
        }
        OPEN.add(container);
    }

    static void remove(HostContainer container) {
        OPEN.remove(container);
    }

    private static void closeAll() {
        for (HostContainer container : List.copyOf(OPEN)) {
            try {
                container.close("the JVM is ending");
            } catch (RuntimeException e) {
                // The next run's sweep removes what is left; the JVM ends either way.
            }
        }
    }
}
