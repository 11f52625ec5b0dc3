package dev.containerized.container;

/**
 * The container cgroup's figures, the ones a test asserts on. A figure the kernel does not offer
 * (pids.peak before Linux 6.11 on v2, memory.peak before 5.19) is -1.
 *
 * @param pidsCurrent      tasks in the cgroup now
 * @param pidsPeak         the most tasks it ever held
 * @param forksRefused     how often the pids limit refused a fork or clone
 * @param memoryBytes      memory charged now
 * @param memoryPeakBytes  the most memory ever charged
 * @param oomKills         processes the OOM killer ended in this cgroup
 */
public record CgroupStats(long pidsCurrent, long pidsPeak, long forksRefused, long memoryBytes,
                          long memoryPeakBytes, long oomKills) {
}
