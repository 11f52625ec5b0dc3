package dev.containerized.container;

import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.cgroup.ContainerCgroup;
import dev.containerized.container.init.Frame;
import dev.containerized.container.init.InitConfig;
import dev.containerized.internal.linux.LibC;
import dev.containerized.rootfs.DefaultRootfs;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Everything one container holds on the host: its state directory, its cgroup, its init process and the
 * thread that launched it. Made in that order, undone in the reverse order, also when a step fails
 * half-way, so a failed start leaves nothing behind.
 */
final class InitProcess {
    private static final AtomicBoolean SWEPT = new AtomicBoolean();
    private static final SecureRandom RANDOM = new SecureRandom();

    final String id;
    final StateDirectory state;
    final ContainerCgroup cgroup;
    final SpawnedInit process;
    private boolean destroyed;

    private InitProcess(String id, StateDirectory state, ContainerCgroup cgroup, SpawnedInit process) {
        this.id = id;
        this.state = state;
        this.cgroup = cgroup;
        this.process = process;
    }

    static InitProcess start(ContainerSpec spec, Optional<List<String>> pid1Command, InitLauncher.Io io) {
        requireRoot();
        CgroupLayout layout;
        try {
            layout = CgroupLayout.detect();
        } catch (IllegalStateException e) {
            throw new ContainerException(e.getMessage(), e);
        }
        if (SWEPT.compareAndSet(false, true)) {
            StateDirectory.sweepStale(layout);
        }
        Path rootfs;
        try {
            rootfs = spec.rootfs().orElseGet(DefaultRootfs::path);
        } catch (RuntimeException e) {
            throw new ContainerException("cannot build the built-in rootfs: " + e.getMessage(), e);
        }
        String id = HexFormat.of().formatHex(randomBytes());
        StateDirectory state = StateDirectory.create(id);
        ContainerCgroup cgroup = null;
        try {
            cgroup = ContainerCgroup.create(layout, id, spec.pidsLimit(), spec.memoryLimitBytes());
            List<String> env = new ArrayList<>();
            for (Map.Entry<String, String> e : spec.environment().entrySet()) {
                env.add(e.getKey() + "=" + e.getValue());
            }
            new InitConfig(rootfs.toString(), state.path().toString(), spec.hostname(), env, spec.workingDirectory(),
                    cgroup.placement(), pid1Command).write(state.path().resolve(InitConfig.FILE));
            return new InitProcess(id, state, cgroup, launchOrTakePrestarted(id, state, layout.version(), io));
        } catch (RuntimeException | IOException e) {
            if (cgroup != null) {
                cgroup.destroy(Duration.ofSeconds(5));
            }
            state.delete();
            if (e instanceof ContainerException ce) {
                throw ce;
            }
            throw new ContainerException("cannot start a container: " + e.getMessage(), e);
        }
    }

    /**
     * Takes the prestarted init, if one is ready, and sends it Go; else launches one. A prestarted init
     * has pipes for stdio, so it serves a container with a control channel, and a command as PID 1 with
     * captured output: there its stdin is closed after Go, and the command reads end of file, as it
     * would from /dev/null. Only a terminal run needs an init of its own.
     */
    private static SpawnedInit launchOrTakePrestarted(String id, StateDirectory state, CgroupLayout.Version version,
                                                      InitLauncher.Io io) {
        if (io != InitLauncher.Io.TERMINAL) {
            Optional<SpawnedInit> prestarted = InitPool.take(version);
            if (prestarted.isPresent()) {
                try {
                    OutputStream stdin = prestarted.get().stdin.orElseThrow();
                    Frame.write(new DataOutputStream(stdin), new Frame.Go(state.path().toString()));
                    if (io == InitLauncher.Io.CAPTURED) {
                        stdin.close();
                    }
                    return prestarted.get();
                } catch (IOException e) {
                    // It died while it waited: start one as if there had been none.
                    prestarted.get().kill();
                }
            }
        }
        return InitLauncher.launch(id, Optional.of(state.path()), version, io);
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static void requireRoot() {
        if (LibC.INSTANCE.geteuid() != 0) {
            throw new ContainerException("Containerized needs root: it creates namespaces, cgroups and mounts "
                    + "(CAP_SYS_ADMIN). Run the tests as root, e.g. in a privileged CI container or with sudo.");
        }
    }

    /** The host pid of the init. */
    long pid() {
        return process.pid;
    }

    /**
     * Kills the init (the kernel then kills every process of its pid namespace), waits for its
     * launching thread, empties and removes the cgroup and deletes the state directory. Idempotent.
     */
    synchronized void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        List<RuntimeException> failures = new ArrayList<>();
        process.kill();
        try {
            if (process.waitFor(Duration.ofSeconds(10)).isEmpty()) {
                failures.add(new ContainerException("the init (pid " + process.pid + ") did not end within 10 s of SIGKILL"));
            }
            process.joinLauncher(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            cgroup.destroy(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            failures.add(e);
        }
        try {
            state.delete();
        } catch (RuntimeException e) {
            failures.add(e);
        }
        if (!failures.isEmpty()) {
            ContainerException failure = new ContainerException("container " + id + " was not torn down cleanly: "
                    + failures.get(0).getMessage());
            failures.forEach(failure::addSuppressed);
            throw failure;
        }
    }
}
