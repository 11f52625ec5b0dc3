package dev.containerized.container.cgroup;

import dev.containerized.container.CgroupStats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * cgroup v1: one directory per hierarchy, {@code <own cgroup>/containerized/<id>}, in the pids and the
 * memory hierarchy, and in the cpu, cpuacct and cpuset ones where the host mounts them. PID 1 joins
 * every one of them, so that the cgroupfs it mounts inside shows the container's cgroup in each, and no
 * hierarchy is left rooted in the host's tree.
 */
public final class CgroupV1 extends CgroupDriver {
    /** The container's directory by controller; co-mounted controllers share one. */
    private final Map<String, Path> dirs;
    private final List<CgroupLayout.Hierarchy> hierarchies;

    private CgroupV1(String id, List<CgroupLayout.Hierarchy> hierarchies, Map<String, Path> dirs, List<Path> made) {
        super(id, made);
        this.hierarchies = hierarchies;
        this.dirs = Map.copyOf(dirs);
    }

    /** The distinct hierarchies a container gets a cgroup in, pids and memory first. */
    static List<CgroupLayout.Hierarchy> hierarchies(CgroupLayout layout) {
        List<CgroupLayout.Hierarchy> distinct = new ArrayList<>();
        List<String> controllers = new ArrayList<>(CgroupLayout.CONTROLLERS);
        controllers.addAll(CgroupLayout.CPU_CONTROLLERS);
        for (String controller : controllers) {
            CgroupLayout.Hierarchy h = layout.hierarchies().get(controller);
            if (h != null && distinct.stream().noneMatch(d -> d.mountPoint().equals(h.mountPoint()))) {
                distinct.add(h);
            }
        }
        return distinct;
    }

    static List<Path> parents(CgroupLayout layout) {
        return hierarchies(layout).stream().map(h -> h.ownCgroup().resolve(PARENT)).toList();
    }

    static CgroupV1 create(CgroupLayout layout, String id, CgroupLimits limits) {
        limits.cpus().ifPresent(cpus -> requireController(layout, "cpu", "cpus"));
        limits.cpuset().ifPresent(cpuset -> requireController(layout, "cpuset", "cpuset"));
        List<CgroupLayout.Hierarchy> hierarchies = hierarchies(layout);
        List<Path> made = new ArrayList<>();
        try {
            Map<String, Path> dirs = new LinkedHashMap<>();
            for (CgroupLayout.Hierarchy h : hierarchies) {
                Path parent = h.ownCgroup().resolve(PARENT);
                Path dir = mkdirs(parent.resolve(id), made);
                if (h.controllers().contains("cpuset")) {
                    // A new v1 cpuset has no CPUs and no memory nodes, and takes no task until it has both.
                    CpusetV1.readyForTasks(dir);
                }
                h.controllers().forEach(controller -> dirs.put(controller, dir));
            }
            Path pids = dirs.get("pids");
            Path memory = dirs.get("memory");
            limits.pidsMax().ifPresent(max -> Cgroups.write(pids.resolve("pids.max"), Long.toString(max)));
            limits.memoryMaxBytes().ifPresent(max -> {
                Cgroups.write(memory.resolve("memory.limit_in_bytes"), Long.toString(max));
                // memory+swap at the same bound: no swap, so a hog is OOM-killed instead of swapped out.
                if (Files.exists(memory.resolve("memory.memsw.limit_in_bytes"))) {
                    Cgroups.write(memory.resolve("memory.memsw.limit_in_bytes"), Long.toString(max));
                }
            });
            limits.cpus().ifPresent(cpus -> {
                Cgroups.write(dirs.get("cpu").resolve("cpu.cfs_period_us"), Long.toString(CgroupLimits.CPU_PERIOD_MICROS));
                Cgroups.write(dirs.get("cpu").resolve("cpu.cfs_quota_us"), Long.toString(CgroupLimits.cpuQuotaMicros(cpus)));
            });
            limits.cpuset().ifPresent(cpuset -> CpusetV1.restrict(dirs.get("cpuset"), cpuset));
            return new CgroupV1(id, hierarchies, dirs, made);
        } catch (RuntimeException e) {
            for (int i = made.size() - 1; i >= 0; i--) {
                Cgroups.killAndRemove(made.get(i), Duration.ofSeconds(1));
            }
            throw e;
        }
    }

    private static void requireController(CgroupLayout layout, String controller, String limit) {
        if (!layout.hierarchies().containsKey(controller)) {
            throw new IllegalStateException(limit + " needs the cgroup v1 " + controller + " controller, which this host "
                    + "does not mount (no cgroup mount with '" + controller + "' in /proc/self/mountinfo): mount it, "
                    + "such as on /sys/fs/cgroup/" + controller + ", or leave " + limit + " unset");
        }
    }

    private static Path mkdirs(Path dir, List<Path> made) {
        try {
            try {
                Files.createDirectory(dir);
            } catch (NoSuchFileException firstOfThisParent) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir);
            }
            made.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create cgroup " + dir + ": " + e, e);
        }
    }

    /**
     * The {@code tasks} files: writing "0" there moves the writing thread alone, which the kernel does
     * without taking its global threadgroup lock (cgroup.procs takes it, and after an idle moment that
     * costs an RCU grace period, 10-30 ms). PID 1 has one thread, so the thread is the process.
     */
    @Override
    public List<Path> joinFiles() {
        return hierarchies.stream().map(h -> dirs.get(h.controllers().get(0)).resolve("tasks")).toList();
    }

    /** One v1 mount per hierarchy, below a tmpfs on /sys/fs/cgroup, as Docker lays them out. */
    @Override
    public List<CgroupfsMount> cgroupfs() {
        return hierarchies.stream().map(h -> CgroupfsMount.v1(h.controllers())).toList();
    }

    @Override
    long readOomKills() {
        // memory.failcnt stays 0 at an OOM kill on this kernel; oom_kill is the signal.
        return Cgroups.readKeyed(dirs.get("memory").resolve("memory.oom_control"), "oom_kill");
    }

    @Override
    CgroupStats read() {
        Path pids = dirs.get("pids");
        Path memory = dirs.get("memory");
        Path cpuacct = dirs.get("cpuacct");
        long usageNanos = cpuacct == null ? -1 : Cgroups.readLong(cpuacct.resolve("cpuacct.usage"));
        return new CgroupStats(
                Cgroups.readLong(pids.resolve("pids.current")),
                Cgroups.readLong(pids.resolve("pids.peak")),
                Cgroups.readKeyed(pids.resolve("pids.events"), "max"),
                Cgroups.readLong(memory.resolve("memory.usage_in_bytes")),
                Cgroups.readLong(memory.resolve("memory.max_usage_in_bytes")),
                readOomKills(),
                usageNanos < 0 ? -1 : usageNanos / 1000);
    }
}
