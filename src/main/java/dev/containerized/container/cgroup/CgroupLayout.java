package dev.containerized.container.cgroup;

import dev.containerized.internal.linux.MountInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where this process's cgroups are, read from {@code /proc/self/mountinfo} and {@code /proc/self/cgroup}
 * rather than assumed to be under {@code /sys/fs/cgroup}.
 * <p>
 * v1 wins when both the pids and the memory controller are mounted as v1 hierarchies (a hybrid host
 * such as this project's CI keeps an empty cgroup2 next to them); otherwise the unified (v2)
 * hierarchy is used.
 *
 * @param version   which cgroup version the container cgroups are made with
 * @param hierarchies for v1: "pids" and "memory", and "cpu", "cpuacct", "cpuset" where the host mounts
 *                    them (co-mounted controllers share one hierarchy); for v2: the single key "unified"
 */
public record CgroupLayout(Version version, Map<String, Hierarchy> hierarchies) {
    public static final List<String> CONTROLLERS = List.of("pids", "memory");
    /**
     * The v1 controllers a container also gets a cgroup of when the host mounts them: the CPU limits
     * live there, and a JVM's container detection on v1 wants all of them mounted.
     */
    public static final List<String> CPU_CONTROLLERS = List.of("cpu", "cpuacct", "cpuset");
    public static final String UNIFIED = "unified";

    public enum Version { V1, V2 }

    /**
     * One mounted hierarchy as this process sees it.
     *
     * @param mountPoint where it is mounted, e.g. {@code /sys/fs/cgroup/pids}
     * @param ownCgroup  the directory of this process's own cgroup in it
     * @param isRoot     whether {@code ownCgroup} is the top of what is mounted (v2: exempt from the
     *                   "no internal processes" rule only when it is the true root)
     * @param controllers v1: every controller of the hierarchy as /proc/self/cgroup names them, such as
     *                    [cpu, cpuacct] (a mount of it must name exactly these); v2: empty
     */
    public record Hierarchy(Path mountPoint, Path ownCgroup, boolean isRoot, List<String> controllers) {
        public Hierarchy {
            controllers = List.copyOf(controllers);
        }
    }

    /** The layout of the running process. */
    public static CgroupLayout detect() {
        try {
            return parse(Files.readString(Path.of("/proc/self/mountinfo")), Files.readString(Path.of("/proc/self/cgroup")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo or /proc/self/cgroup", e);
        }
    }

    /** The layout described by the text of a mountinfo and a /proc/PID/cgroup file. */
    public static CgroupLayout parse(String mountinfo, String procCgroup) {
        Map<String, String> v1Paths = new HashMap<>();
        Map<String, List<String>> v1Sets = new HashMap<>();
        Optional<String> v2Path = Optional.empty();
        for (String line : procCgroup.split("\n")) {
            String[] parts = line.split(":", 3);
            if (parts.length < 3) {
                continue;
            }
            if (parts[0].equals("0") && parts[1].isEmpty()) {
                v2Path = Optional.of(parts[2]);
            } else {
                List<String> set = List.of(parts[1].split(","));
                for (String controller : set) {
                    v1Paths.put(controller, parts[2]);
                    v1Sets.put(controller, set);
                }
            }
        }

        Map<String, Hierarchy> v1 = new HashMap<>();
        Optional<Hierarchy> v2 = Optional.empty();
        for (MountInfo mount : MountInfo.parse(mountinfo)) {
            if (mount.fstype().equals("cgroup")) {
                for (String option : mount.superOptions().split(",")) {
                    boolean wanted = CONTROLLERS.contains(option) || CPU_CONTROLLERS.contains(option);
                    if (wanted && v1Paths.containsKey(option) && !v1.containsKey(option)) {
                        v1.put(option, hierarchy(mount, v1Paths.get(option), v1Sets.get(option)));
                    }
                }
            } else if (mount.fstype().equals("cgroup2") && v2Path.isPresent() && v2.isEmpty()) {
                v2 = Optional.of(hierarchy(mount, v2Path.get(), List.of()));
            }
        }
        if (v1.keySet().containsAll(CONTROLLERS)) {
            return new CgroupLayout(Version.V1, Map.copyOf(v1));
        }
        if (v2.isPresent()) {
            return new CgroupLayout(Version.V2, Map.of(UNIFIED, v2.get()));
        }
        throw new IllegalStateException("no cgroup hierarchy with the pids and memory controllers is mounted "
                + "(looked for cgroup v1 'pids' and 'memory' mounts and a cgroup2 mount in /proc/self/mountinfo); "
                + "mount cgroup2 on /sys/fs/cgroup or the v1 pids and memory controllers");
    }

    /** The own cgroup's directory: the mount point plus the part of the path below the mount's root. */
    private static Hierarchy hierarchy(MountInfo mount, String cgroupPath, List<String> controllers) {
        String relative;
        if (mount.root().equals("/")) {
            relative = cgroupPath;
        } else if (cgroupPath.equals(mount.root()) || cgroupPath.startsWith(mount.root() + "/")) {
            relative = cgroupPath.substring(mount.root().length());
        } else {
            // The process sits outside the mounted subtree (e.g. a path like "/.." from a foreign
            // cgroup namespace): the best we can use is the top of the mount.
            relative = "/";
        }
        relative = relative.replaceFirst("^/+", "");
        Path mountPoint = Path.of(mount.mountPoint());
        Path own = relative.isEmpty() ? mountPoint : mountPoint.resolve(relative);
        return new Hierarchy(mountPoint, own, relative.isEmpty(), controllers);
    }
}
