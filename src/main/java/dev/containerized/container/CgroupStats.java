package dev.containerized.container;

import java.time.Duration;
import java.util.Optional;

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
 * @param cpuUsageMicros   CPU time its processes used, in microseconds (v2 cpu.stat usage_usec, v1
 *                         cpuacct.usage); -1 where the host mounts no v1 cpuacct controller
 */
public record CgroupStats(long pidsCurrent, long pidsPeak, long forksRefused, long memoryBytes,
                          long memoryPeakBytes, long oomKills, long cpuUsageMicros) {
    /** The figures without CPU usage (-1). */
    public CgroupStats(long pidsCurrent, long pidsPeak, long forksRefused, long memoryBytes, long memoryPeakBytes,
                       long oomKills) {
        this(pidsCurrent, pidsPeak, forksRefused, memoryBytes, memoryPeakBytes, oomKills, -1);
    }

    /** The CPU time its processes used; empty where the host does not count it. */
    public Optional<Duration> cpuUsage() {
        return cpuUsageMicros < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(cpuUsageMicros * 1000));
    }
}
