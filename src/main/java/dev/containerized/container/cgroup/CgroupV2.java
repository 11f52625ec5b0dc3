package dev.containerized.container.cgroup;

import dev.containerized.container.CgroupStats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
        enableControllers(top);
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create cgroup " + parent + ": " + e, e);
        }
        enableControllers(parent);
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
            return new CgroupV2(id, dir);
        } catch (RuntimeException e) {
            Cgroups.killAndRemove(dir, Duration.ofSeconds(1));
            throw e;
        }
    }

    /**
     * Enables pids and memory for the children of {@code cgroup}. On a nested host (a privileged CI
     * container with its own cgroup namespace) the top we see is not the true root and holds our own
     * processes: v2's "no internal processes" rule then forbids this until they move to a leaf. With
     * {@link #MOVE_TO_LEAF_PROPERTY} set we move them, as docker-in-docker's entrypoint does; else we
     * refuse and say how to fix it.
     */
    private static void enableControllers(Path cgroup) {
        try {
            writeSubtreeControl(cgroup);
        } catch (IOException e) {
            List<Integer> processes = Cgroups.processes(cgroup);
            boolean nestedWithProcesses = Files.exists(cgroup.resolve("cgroup.type")) && !processes.isEmpty();
            if (nestedWithProcesses && Boolean.getBoolean(MOVE_TO_LEAF_PROPERTY)) {
                moveProcessesToLeaf(cgroup);
                try {
                    writeSubtreeControl(cgroup);
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
            throw new IllegalStateException("cannot enable the pids and memory controllers in "
                    + cgroup.resolve("cgroup.subtree_control") + ": " + e.getMessage() + why, e);
        }
    }

    private static void writeSubtreeControl(Path cgroup) throws IOException {
        Path control = cgroup.resolve("cgroup.subtree_control");
        if (!List.of(Files.readString(control).trim().split(" ")).containsAll(CgroupLayout.CONTROLLERS)) {
            Files.writeString(control, "+pids +memory");
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
                readOomKills());
    }
}
