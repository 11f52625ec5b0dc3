package dev.containerized.container.cgroup;

import java.util.OptionalLong;

/**
 * The limits a container cgroup is made with.
 *
 * @param pidsMax        the most tasks (pids.max)
 * @param memoryMaxBytes the most memory, without swap
 */
public record CgroupLimits(OptionalLong pidsMax, OptionalLong memoryMaxBytes) {
}
