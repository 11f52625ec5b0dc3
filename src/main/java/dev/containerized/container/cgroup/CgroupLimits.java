package dev.containerized.container.cgroup;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The limits a container cgroup is made with.
 *
 * @param pidsMax        the most tasks (pids.max)
 * @param memoryMaxBytes the most memory, without swap
 * @param cpus           the most CPU time per wall time, in CPUs (0.5: half of one CPU), as a CFS quota
 * @param cpuset         the CPUs it may run on, in the kernel's list format ("0-1,3")
 */
public record CgroupLimits(OptionalLong pidsMax, OptionalLong memoryMaxBytes, OptionalDouble cpus, Optional<String> cpuset) {
    /** The CFS period the quota is a share of, 100 ms, as Docker's {@code --cpus} uses. */
    public static final long CPU_PERIOD_MICROS = 100_000;
    /** The least quota the kernel takes, 1 ms per period. */
    static final long MIN_CPU_QUOTA_MICROS = 1_000;

    /** Pids and memory only. */
    public CgroupLimits(OptionalLong pidsMax, OptionalLong memoryMaxBytes) {
        this(pidsMax, memoryMaxBytes, OptionalDouble.empty(), Optional.empty());
    }

    /** The quota per {@link #CPU_PERIOD_MICROS} that {@code cpus} CPUs amount to. */
    static long cpuQuotaMicros(double cpus) {
        return Math.max(MIN_CPU_QUOTA_MICROS, Math.round(cpus * CPU_PERIOD_MICROS));
    }
}
