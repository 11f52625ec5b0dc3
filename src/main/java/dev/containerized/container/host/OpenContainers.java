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

    /**
     * The real paths of the host directories the open containers can write: the sources of their
     * read-write directory binds. A process in one of them may put anything there, links included.
     */
    static List<String> hostDirectoriesTheyCanWrite() {
        List<String> writable = new java.util.ArrayList<>();
        for (HostContainer container : OPEN) {
            for (MountPlan.UserMount mount : container.plan().mounts().mounts()) {
                if (mount instanceof MountPlan.Bind bind && !bind.readOnly()) {
                    try {
                        java.nio.file.Path real = bind.source().toRealPath();
                        if (java.nio.file.Files.isDirectory(real)) {
                            writable.add(real.toString());
                        }
                    } catch (java.io.IOException gone) {
                        // Its source is gone from the host: no path of a copy runs through it.
                    }
                }
            }
        }
        return writable;
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
