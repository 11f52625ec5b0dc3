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
 * cgroup v1: one directory per controller, {@code <own cgroup>/containerized/<id>} in the pids and the
 * memory hierarchy.
 */
public final class CgroupV1 extends CgroupDriver {
    private final Path pids;
    private final Path memory;

    private CgroupV1(String id, Path pids, Path memory) {
        super(id, List.of(pids, memory));
        this.pids = pids;
        this.memory = memory;
    }

    static List<Path> parents(CgroupLayout layout) {
        return CgroupLayout.CONTROLLERS.stream()
                .map(c -> layout.hierarchies().get(c).ownCgroup().resolve(PARENT)).toList();
    }

    static CgroupV1 create(CgroupLayout layout, String id, CgroupLimits limits) {
        List<Path> made = new ArrayList<>();
        try {
            Path pids = mkdirs(layout.hierarchies().get("pids").ownCgroup().resolve(PARENT).resolve(id), made);
            Path memory = mkdirs(layout.hierarchies().get("memory").ownCgroup().resolve(PARENT).resolve(id), made);
            limits.pidsMax().ifPresent(max -> Cgroups.write(pids.resolve("pids.max"), Long.toString(max)));
            limits.memoryMaxBytes().ifPresent(max -> {
                Cgroups.write(memory.resolve("memory.limit_in_bytes"), Long.toString(max));
                // memory+swap at the same bound: no swap, so a hog is OOM-killed instead of swapped out.
                if (Files.exists(memory.resolve("memory.memsw.limit_in_bytes"))) {
                    Cgroups.write(memory.resolve("memory.memsw.limit_in_bytes"), Long.toString(max));
                }
            });
            return new CgroupV1(id, pids, memory);
        } catch (RuntimeException e) {
            for (int i = made.size() - 1; i >= 0; i--) {
                Cgroups.killAndRemove(made.get(i), Duration.ofSeconds(1));
            }
            throw e;
        }
    }

    private static Path mkdirs(Path dir, List<Path> made) {
        try {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir);
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
        return List.of(pids.resolve("tasks"), memory.resolve("tasks"));
    }

    @Override
    long readOomKills() {
        // memory.failcnt stays 0 at an OOM kill on this kernel; oom_kill is the signal.
        return Cgroups.readKeyed(memory.resolve("memory.oom_control"), "oom_kill");
    }

    @Override
    CgroupStats read() {
        return new CgroupStats(
                Cgroups.readLong(pids.resolve("pids.current")),
                Cgroups.readLong(pids.resolve("pids.peak")),
                Cgroups.readKeyed(pids.resolve("pids.events"), "max"),
                Cgroups.readLong(memory.resolve("memory.usage_in_bytes")),
                Cgroups.readLong(memory.resolve("memory.max_usage_in_bytes")),
                readOomKills());
    }
}
