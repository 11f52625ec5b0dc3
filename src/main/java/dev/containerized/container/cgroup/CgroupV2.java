package dev.containerized.container.cgroup;

import dev.containerized.container.CgroupStats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * cgroup v2: one directory, {@code <top of the mounted hierarchy>/containerized/<id>}. The top is
 * used, as runc's cgroupfs driver does, because v2's "no internal processes" rule forbids enabling
 * controllers below a cgroup that holds processes, such as the test JVM's own.
 */
public final class CgroupV2 implements ContainerCgroup {
    private final String id;
    private final Path dir;
    private volatile CgroupStats lastStats;
    private boolean destroyed;

    private CgroupV2(String id, Path dir) {
        this.id = id;
        this.dir = dir;
    }

    static Path parent(CgroupLayout layout) {
        return layout.hierarchies().get(CgroupLayout.UNIFIED).mountPoint().resolve(PARENT);
    }

    static CgroupV2 create(CgroupLayout layout, String id, OptionalLong pidsMax, OptionalLong memoryMaxBytes) {
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
            pidsMax.ifPresent(max -> ContainerCgroup.write(dir.resolve("pids.max"), Long.toString(max)));
            memoryMaxBytes.ifPresent(max -> {
                ContainerCgroup.write(dir.resolve("memory.max"), Long.toString(max));
                if (Files.exists(dir.resolve("memory.swap.max"))) {
                    ContainerCgroup.write(dir.resolve("memory.swap.max"), "0");
                }
            });
            return new CgroupV2(id, dir);
        } catch (RuntimeException e) {
            Cgroups.killAndRemove(dir, Duration.ofSeconds(1));
            throw e;
        }
    }

    private static void enableControllers(Path cgroup) {
        Path control = cgroup.resolve("cgroup.subtree_control");
        try {
            String enabled = Files.readString(control);
            if (List.of(enabled.trim().split(" ")).containsAll(CgroupLayout.CONTROLLERS)) {
                return;
            }
            Files.writeString(control, "+pids +memory");
        } catch (IOException e) {
            String why = Files.exists(cgroup.resolve("cgroup.type")) && !Cgroups.processes(cgroup).isEmpty()
                    ? " (" + cgroup + " is not the root cgroup and holds processes " + Cgroups.processes(cgroup)
                    + ": cgroup v2's \"no internal processes\" rule forbids enabling controllers below it; "
                    + "move those processes into a leaf cgroup first, as a nested CI container must)"
                    : "";
            throw new IllegalStateException("cannot enable the pids and memory controllers in " + control + ": "
                    + e.getMessage() + why, e);
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public CgroupPlacement placement() {
        return new CgroupPlacement(CgroupLayout.Version.V2, List.of(dir.toString()), List.of());
    }

    @Override
    public CgroupStats stats() {
        if (destroyed) {
            return lastStats;
        }
        return new CgroupStats(
                ContainerCgroup.readLong(dir.resolve("pids.current")),
                ContainerCgroup.readLong(dir.resolve("pids.peak")),
                ContainerCgroup.readKeyed(dir.resolve("pids.events"), "max"),
                ContainerCgroup.readLong(dir.resolve("memory.current")),
                ContainerCgroup.readLong(dir.resolve("memory.peak")),
                ContainerCgroup.readKeyed(dir.resolve("memory.events"), "oom_kill"));
    }

    @Override
    public synchronized void destroy(Duration timeout) {
        if (destroyed) {
            return;
        }
        lastStats = stats();
        Cgroups.killAndRemove(dir, timeout);
        destroyed = true;
    }
}
