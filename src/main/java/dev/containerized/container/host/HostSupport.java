package dev.containerized.container.host;

import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.cgroup.ContainerCgroup;
import dev.containerized.container.ContainerException;
import dev.containerized.internal.linux.Unistd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether this host can run containers, and if not, what is missing and how to fix it (checked once);
 * and the host facts a container start needs.
 */
public final class HostSupport {
    private static volatile Optional<String> problem;

    private HostSupport() {
    }

    public static Optional<String> problem() {
        Optional<String> known = problem;
        if (known == null) {
            known = check();
            problem = known;
        }
        return known;
    }

    private static Optional<String> check() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return Optional.of("Containerized needs Linux (namespaces, cgroups, overlayfs); this is " + System.getProperty("os.name"));
        }
        int euid;
        try {
            euid = Unistd.geteuid();
        } catch (LinkageError e) {
            return Optional.of("Containerized cannot load glibc through JNA: " + e.getMessage());
        }
        if (euid != 0) {
            return Optional.of("Containerized needs root (CAP_SYS_ADMIN) to create namespaces, cgroups and mounts; "
                    + "this process runs as uid " + euid + ". Run the tests as root, e.g. in a privileged CI container.");
        }
        if (!hasCapSysAdmin()) {
            return Optional.of("Containerized needs CAP_SYS_ADMIN to create namespaces and mounts, and this root process "
                    + "lacks it (an unprivileged container?): run it privileged, e.g. docker run --privileged");
        }
        CgroupLayout detected;
        try {
            detected = CgroupLayout.detect();
        } catch (RuntimeException e) {
            return Optional.of("Containerized found no usable cgroups: " + e.getMessage());
        }
        layout = detected; // what cgroupLayout() would read again
        for (Path parent : ContainerCgroup.parents(detected)) {
            Path writable = Files.isDirectory(parent) ? parent : parent.getParent();
            if (!Files.isWritable(writable)) {
                return Optional.of("Containerized cannot create cgroups: " + writable + " is not writable (a read-only "
                        + "cgroupfs, as in an unprivileged container): run privileged, with a writable /sys/fs/cgroup");
            }
        }
        try {
            // A module not loaded yet is loaded by the first overlay mount.
            boolean loadable = Files.isDirectory(Path.of("/lib/modules", System.getProperty("os.version"), "kernel/fs/overlayfs"));
            if (!Files.readString(Path.of("/proc/filesystems")).contains("\toverlay\n") && !loadable) {
                return Optional.of("Containerized needs overlayfs, which this kernel has not loaded: run 'modprobe overlay'");
            }
        } catch (IOException e) {
            return Optional.of("Containerized cannot read /proc/filesystems: " + e.getMessage());
        }
        return Optional.empty();
    }

    /** Bit 21 of CapEff in /proc/self/status. */
    private static boolean hasCapSysAdmin() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapEff:"))
                    .map(l -> Long.parseUnsignedLong(l.substring(7).trim(), 16))
                    .anyMatch(caps -> (caps & (1L << 21)) != 0);
        } catch (IOException | NumberFormatException e) {
            return true; // Cannot tell: let the attempt speak for itself.
        }
    }

    /** Fails with the reason when this process is not root: nothing else would work. */
    static void requireRoot() {
        if (Unistd.geteuid() != 0) {
            throw new ContainerException(problem().orElse("Containerized needs root (CAP_SYS_ADMIN) to create namespaces, "
                    + "cgroups and mounts. Run the tests as root, e.g. in a privileged CI container."));
        }
    }

    /** This process's cgroup layout, read from /proc/self once: it does not change while we run. */
    static CgroupLayout cgroupLayout() {
        CgroupLayout known = layout;
        if (known == null) {
            try {
                known = CgroupLayout.detect();
            } catch (RuntimeException e) {
                throw new ContainerException("Containerized found no usable cgroups: " + e.getMessage(), e);
            }
            layout = known;
        }
        return known;
    }

    private static volatile CgroupLayout layout;

    /** The host pids of every process in the pid namespace of process {@code pid}. */
    static java.util.List<Long> pidsInNamespaceOf(long pid) {
        try {
            Path namespace = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "pid"));
            try (java.util.stream.Stream<Path> processes = Files.list(Path.of("/proc"))) {
                return processes.filter(p -> p.getFileName().toString().matches("\\d+"))
                        .filter(p -> namespace.equals(pidNamespace(p)))
                        .map(p -> Long.valueOf(p.getFileName().toString()))
                        .sorted().toList();
            }
        } catch (IOException e) {
            throw new ContainerException("cannot read the pid namespace of process " + pid + ": " + e, e);
        }
    }

    private static Path pidNamespace(Path process) {
        try {
            return Files.readSymbolicLink(process.resolve("ns/pid"));
        } catch (IOException gone) {
            return null;
        }
    }
}
