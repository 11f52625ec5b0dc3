package dev.containerized.container.cgroup;

import dev.containerized.container.CgroupStats;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The cgroup of one container, made by the test JVM before its PID 1 starts and removed after it ended.
 * PID 1 joins it first thing, so every process of the container is born inside it.
 */
public sealed interface ContainerCgroup permits CgroupDriver {
    /** Every cgroup this project makes lives below a parent of this name. */
    String PARENT = "containerized";

    static ContainerCgroup create(CgroupLayout layout, String id, CgroupLimits limits) {
        return switch (layout.version()) {
            case V1 -> CgroupV1.create(layout, id, limits);
            case V2 -> CgroupV2.create(layout, id, limits);
        };
    }

    /** The parent directories of this layout, one per hierarchy: where our cgroups are. */
    static List<Path> parents(CgroupLayout layout) {
        return switch (layout.version()) {
            case V1 -> CgroupV1.parents(layout);
            case V2 -> List.of(CgroupV2.parent(layout));
        };
    }

    String id();

    /** The files to which PID 1 writes "0" to join the cgroup, one per hierarchy (v2: cgroup.procs). */
    List<Path> joinFiles();

    /** The cgroupfs mounts that show this cgroup inside the container, read-only, at /sys/fs/cgroup. */
    List<CgroupfsMount> cgroupfs();

    /** The figures now; after {@link #destroy} the last ones read before removal. */
    CgroupStats stats();

    /** Processes the OOM killer ended in this cgroup so far: one file read, cheaper than {@link #stats()}. */
    long oomKills();

    /** Kills what is left, waits until the cgroup is empty and removes it. Idempotent. */
    void destroy(Duration timeout);

    /**
     * Nobody will ask for the figures after {@link #destroy}: it skips reading them first (seven files
     * on v1, a third of a millisecond of every {@code Container.run}), and {@link #stats()} then says -1s.
     */
    void forgoFinalFigures();

    /**
     * Removes cgroups of ours that are provably dead: empty, with no cgroup below them, and older than
     * {@code minimumAge} (a live container's cgroup is empty only in the moment between its making and
     * its PID 1 joining it). Nothing is ever killed here: a cgroup with a process in it may belong to a
     * live container of another JVM, another state directory, another CI job on this host.
     */
    static int removeDeadOnes(CgroupLayout layout, Duration minimumAge) {
        int removed = 0;
        for (Path parent : parents(layout)) {
            removed += Cgroups.removeEmptyChildren(parent, minimumAge);
        }
        return removed;
    }
}
