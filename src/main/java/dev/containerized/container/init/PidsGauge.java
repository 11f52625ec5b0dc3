package dev.containerized.container.init;

import dev.containerized.internal.linux.LibC;
import dev.containerized.internal.linux.Linux;

import java.nio.file.Path;

/**
 * Reads the container cgroup's pids.current and pids.max, through descriptors opened before
 * pivot_root. The init asks it before it spawns a command: placing a command in a cgroup at its limit
 * would push the count over the limit (v1's spawning thread joins for a moment; v2's fallback moves a
 * process in, and a move is never refused), so a full container refuses the command instead, as a
 * fork there would be refused.
 */
final class PidsGauge {
    private final int current;
    private final int max;

    PidsGauge(Path cgroupDirectory) {
        current = Linux.open(cgroupDirectory.resolve("pids.current").toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        max = Linux.open(cgroupDirectory.resolve("pids.max").toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
    }

    /** The limit when the cgroup holds that many tasks already; -1 when there is room or no limit. */
    long reachedLimit() {
        String limit = Linux.readSmall(max, "pids.max");
        if (limit.equals("max")) {
            return -1;
        }
        long cap = Long.parseLong(limit);
        return Long.parseLong(Linux.readSmall(current, "pids.current")) >= cap ? cap : -1;
    }
}
