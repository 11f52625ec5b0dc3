package dev.containerized.container.cgroup;

import java.util.List;

/**
 * How the init puts a command into the container cgroup before the command's first instruction.
 *
 * @param version  which driver made the cgroup
 * @param enter    v1: the container cgroup's {@code tasks} files, one per controller: the spawning
 *                 thread writes its own tid there, spawns, and writes it back to {@code leave}.
 *                 v2: the container cgroup's directory, alone.
 * @param leave    v1: the {@code tasks} files of the init's own cgroups, in the order of {@code enter};
 *                 empty for v2
 */
public record CgroupPlacement(CgroupLayout.Version version, List<String> enter, List<String> leave) {
    public CgroupPlacement {
        enter = List.copyOf(enter);
        leave = List.copyOf(leave);
    }
}
