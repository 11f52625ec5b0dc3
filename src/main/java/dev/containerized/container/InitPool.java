package dev.containerized.container;

import dev.containerized.container.cgroup.CgroupLayout;

import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One init JVM kept started ahead, in its own new namespaces, with JNA loaded and its classes read:
 * what a container start would otherwise wait for. Taking it starts the next one in the background.
 * It holds no state directory and no cgroup until it is taken, so it leaves nothing behind; it dies
 * with this JVM (PR_SET_PDEATHSIG). {@code -Dcontainerized.prestart=false} turns this off.
 */
final class InitPool {
    static final String PROPERTY = "containerized.prestart";
    private static final System.Logger LOG = System.getLogger(InitPool.class.getName());
    private static final ExecutorService REFILL = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "containerized-prestart");
        thread.setDaemon(true);
        return thread;
    });
    private static SpawnedInit ready;
    private static CgroupLayout.Version readyFor;

    private InitPool() {
    }

    /** The prestarted init, if one is alive and made for this cgroup version; a new one is started either way. */
    static synchronized Optional<SpawnedInit> take(CgroupLayout.Version version) {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return Optional.empty();
        }
        Optional<SpawnedInit> taken = Optional.ofNullable(ready).filter(init -> readyFor == version && init.isAlive());
        if (ready != null && taken.isEmpty()) {
            ready.kill();
        }
        ready = null;
        REFILL.execute(() -> prestart(version));
        return taken;
    }

    /** The host pid of the init waiting to be taken, if there is one. */
    static synchronized Optional<Long> idlePid() {
        return Optional.ofNullable(ready).filter(SpawnedInit::isAlive).map(init -> (long) init.pid);
    }

    private static void prestart(CgroupLayout.Version version) {
        try {
            SpawnedInit init = InitLauncher.launch("prestarted", Optional.empty(), version, InitLauncher.Io.CONTROL);
            synchronized (InitPool.class) {
                if (ready != null) {
                    ready.kill();
                }
                ready = init;
                readyFor = version;
            }
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "could not prestart an init; containers start cold", e);
        }
    }
}
