package dev.containerized.container.host;

import dev.containerized.container.ContainerSpec;

import java.util.List;

/**
 * What the first container start of a JVM does once, for a caller to do ahead: JNA and every
 * binding to glibc, the classes a start runs through, the built-in rootfs looked up (or built), Docker's
 * seccomp profile compiled, the init copied into its memfd. In a cold JVM that is most of a first
 * start (class loading, JNA's own start, the profile compiler), and a JUnit run has it done while it
 * discovers its tests (see {@code EarlyPreparation}). It makes no container, cgroup or state directory
 * (only the built-in rootfs' cache, when it is not there yet, as the first start would).
 */
public final class Preparation {
    /** The classes of a container's start, loaded and initialized ahead. */
    private static final List<String> CLASSES = List.of(
            "dev.containerized.container.host.ContainerThread", "dev.containerized.container.host.RootfsMounts",
            "dev.containerized.container.host.InRoot", "dev.containerized.container.host.HostDevices",
            "dev.containerized.container.host.ContainerIo", "dev.containerized.container.host.EventReader",
            "dev.containerized.container.host.RunningCommand", "dev.containerized.container.host.OutputBuffer",
            "dev.containerized.container.host.Pid1Channel", "dev.containerized.container.host.Pid1Protocol",
            "dev.containerized.container.host.StateDirectory", "dev.containerized.container.host.TreeRemoval",
            "dev.containerized.container.host.Undo", "dev.containerized.container.host.ExecRequest",
            "dev.containerized.container.cgroup.CgroupV1", "dev.containerized.container.cgroup.CgroupV2",
            "dev.containerized.container.net.ContainerNetwork");
    /** The JNA bindings, by C header: each registers its natives when first used. */
    private static final List<String> BINDINGS = List.of("Sched", "Mounts", "Unistd", "Fcntl", "Sockets", "Poll",
            "Processes", "Spawn", "Memfd", "Network", "Terminals", "Errno", "Dirents");

    private Preparation() {
    }

    /** Does it on this thread. Failures are left for the first start to report, where a test sees them. */
    public static void prepare() {
        try {
            if (HostSupport.problem().isPresent()) {
                return;
            }
            ClassLoader loader = Preparation.class.getClassLoader();
            for (String binding : BINDINGS) {
                Class.forName("dev.containerized.internal.linux." + binding + "$C", true, loader);
            }
            for (String name : CLASSES) {
                Class.forName(name, true, loader);
            }
            InitBinary.memfd();
            ContainerPlan.of(ContainerSpec.builder().build());
        } catch (Throwable ignored) {
            // The first container start does the same work again and reports what fails, where it matters.
        }
    }

    /** The names this class loads, for a test that they all exist. */
    static List<String> classNames() {
        return java.util.stream.Stream.concat(BINDINGS.stream().map(b -> "dev.containerized.internal.linux." + b + "$C"),
                CLASSES.stream()).toList();
    }
}
