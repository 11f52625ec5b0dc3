package dev.containerized.container.cgroup;

import dev.containerized.container.CgroupStats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * cgroup v2: one directory, {@code <top of the mounted hierarchy>/containerized/<id>}. The top is
 * used, as runc's cgroupfs driver does, because v2's "no internal processes" rule forbids enabling
 * controllers below a cgroup that holds processes, such as the test JVM's own.
 */
public final class CgroupV2 extends CgroupDriver {
    /** System property: on a nested host, move the processes of the top cgroup into a leaf (see {@link #enableControllers}). */
    public static final String MOVE_TO_LEAF_PROPERTY = "containerized.cgroup.moveProcessesToLeaf";
    /** Where those processes go: beside our parent, never inside it. */
    static final String LEAF = "containerized-host";
    private final Path dir;

    private CgroupV2(String id, Path dir) {
        super(id, List.of(dir));
        this.dir = dir;
    }

    static Path parent(CgroupLayout layout) {
        return layout.hierarchies().get(CgroupLayout.UNIFIED).mountPoint().resolve(PARENT);
    }

    static CgroupV2 create(CgroupLayout layout, String id, CgroupLimits limits) {
        Path top = layout.hierarchies().get(CgroupLayout.UNIFIED).mountPoint();
        Path parent = parent(layout);
        List<String> controllers = new ArrayList<>(CgroupLayout.CONTROLLERS);
        limits.cpus().ifPresent(cpus -> controllers.add(requireAvailable(top, "cpu", "cpus")));
        limits.cpuset().ifPresent(cpuset -> controllers.add(requireAvailable(top, "cpuset", "cpuset")));
        enableControllers(top, controllers);
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create cgroup " + parent + ": " + e, e);
        }
        enableControllers(parent, controllers);
        Path dir = parent.resolve(id);
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create cgroup " + dir + ": " + e, e);
        }
        try {
            limits.pidsMax().ifPresent(max -> Cgroups.write(dir.resolve("pids.max"), Long.toString(max)));
            limits.memoryMaxBytes().ifPresent(max -> {
                Cgroups.write(dir.resolve("memory.max"), Long.toString(max));
                if (Files.exists(dir.resolve("memory.swap.max"))) {
                    Cgroups.write(dir.resolve("memory.swap.max"), "0");
                }
            });
            limits.cpus().ifPresent(cpus -> Cgroups.write(dir.resolve("cpu.max"),
                    CgroupLimits.cpuQuotaMicros(cpus) + " " + CgroupLimits.CPU_PERIOD_MICROS));
            limits.cpuset().ifPresent(cpuset -> Cgroups.write(dir.resolve("cpuset.cpus"), cpuset));
            return new CgroupV2(id, dir);
        } catch (RuntimeException e) {
            Cgroups.killAndRemove(dir, Duration.ofSeconds(1));
            throw e;
        }
    }

    /**
     * {@code controller}, for a limit that needs it: the top cgroup must offer it to its children (a
     * kernel without it, or a parent that does not pass it down, leaves it out of cgroup.controllers).
     */
    private static String requireAvailable(Path top, String controller, String limit) {
        List<String> available = List.of(Cgroups.readStripped(top.resolve("cgroup.controllers")).split(" "));
        if (!available.contains(controller)) {
            throw new IllegalStateException(limit + " needs the cgroup v2 " + controller + " controller, which "
                    + top.resolve("cgroup.controllers") + " does not offer (it offers: " + String.join(" ", available)
                    + "): enable it in the parent cgroup's cgroup.subtree_control (a kernel without it cannot), "
                    + "or leave " + limit + " unset");
        }
        return controller;
    }

    /**
     * Enables pids and memory (and cpu or cpuset, when a limit needs them) for the children of
     * {@code cgroup}. On a nested host (a privileged CI
     * container with its own cgroup namespace) the top we see is not the true root and holds our own
     * processes: v2's "no internal processes" rule then forbids this until they move to a leaf. With
     * {@link #MOVE_TO_LEAF_PROPERTY} set we move them, as docker-in-docker's entrypoint does; else we
     * refuse and say how to fix it.
     */
    private static void enableControllers(Path cgroup, List<String> controllers) {
        try {
            writeSubtreeControl(cgroup, controllers);
        } catch (IOException e) {
            List<Integer> processes = Cgroups.processes(cgroup);
            boolean nestedWithProcesses = Files.exists(cgroup.resolve("cgroup.type")) && !processes.isEmpty();
            if (nestedWithProcesses && Boolean.getBoolean(MOVE_TO_LEAF_PROPERTY)) {
                moveProcessesToLeaf(cgroup);
                try {
                    writeSubtreeControl(cgroup, controllers);
                    return;
                } catch (IOException again) {
                    e.addSuppressed(again);
                }
            }
            String why = nestedWithProcesses
                    ? " (" + cgroup + " is not the root cgroup and holds processes " + processes + ": cgroup v2's "
                    + "\"no internal processes\" rule forbids enabling controllers below it. Move those processes into a "
                    + "leaf cgroup first, or run with -D" + MOVE_TO_LEAF_PROPERTY + "=true to let Containerized move them "
                    + "into " + cgroup.resolve(LEAF) + ")"
                    : "";
            throw new IllegalStateException("cannot enable the " + String.join(", ", controllers) + " controllers in "
                    + cgroup.resolve("cgroup.subtree_control") + ": " + e.getMessage() + why, e);
        }
    }

    private static void writeSubtreeControl(Path cgroup, List<String> controllers) throws IOException {
        Path control = cgroup.resolve("cgroup.subtree_control");
        List<String> enabled = List.of(Files.readString(control).trim().split(" "));
        List<String> missing = controllers.stream().filter(c -> !enabled.contains(c)).toList();
        if (!missing.isEmpty()) {
            Files.writeString(control, String.join(" ", missing.stream().map(c -> "+" + c).toList()));
        }
    }

    /** Moves every process of {@code cgroup} into its child {@link #LEAF}; repeats for processes started meanwhile. */
    private static void moveProcessesToLeaf(Path cgroup) {
        Path leaf = cgroup.resolve(LEAF);
        try {
            Files.createDirectories(leaf);
            for (int round = 0; round < 10; round++) {
                List<Integer> processes = Cgroups.processes(cgroup);
                if (processes.isEmpty()) {
                    return;
                }
                for (int pid : processes) {
                    try {
                        Files.writeString(leaf.resolve("cgroup.procs"), Integer.toString(pid));
                    } catch (IOException gone) {
                        // It exited meanwhile.
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move the processes of " + cgroup + " into " + leaf + ": " + e, e);
        }
    }

    @Override
    public List<Path> joinFiles() {
        return List.of(dir.resolve("cgroup.procs"));
    }

    @Override
    public List<CgroupfsMount> cgroupfs() {
        return List.of(CgroupfsMount.v2());
    }

    @Override
    long readOomKills() {
        return Cgroups.readKeyed(dir.resolve("memory.events"), "oom_kill");
    }

    @Override
    CgroupStats read() {
        return new CgroupStats(
                Cgroups.readLong(dir.resolve("pids.current")),
                Cgroups.readLong(dir.resolve("pids.peak")),
                Cgroups.readKeyed(dir.resolve("pids.events"), "max"),
                Cgroups.readLong(dir.resolve("memory.current")),
                Cgroups.readLong(dir.resolve("memory.peak")),
                readOomKills(),
                // cpu.stat is a core file of v2: there with or without the cpu controller.
                Cgroups.readKeyed(dir.resolve("cpu.stat"), "usage_usec"));
    }
}
