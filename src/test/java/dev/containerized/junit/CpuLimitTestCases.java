package dev.containerized.junit;

import dev.containerized.container.CgroupStats;
import dev.containerized.container.Container;
import dev.containerized.container.ExecResult;
import dev.containerized.container.cgroup.CgroupLayout;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/** Fixtures for the CPU attributes of @Containerized. */
class CpuLimitTestCases {
    @Containerized(cpus = "0.5")
    static class HalfACpu {
        @Test
        void theQuotaIsSetAndTheUsageCounted(Container container) {
            boolean v1 = CgroupLayout.detect().version() == CgroupLayout.Version.V1;
            ExecResult quota = container.exec("cat", v1 ? "/sys/fs/cgroup/cpu/cpu.cfs_quota_us" : "/sys/fs/cgroup/cpu.max");
            assertThat(quota.stdout()).isIn("50000\n", "50000 100000\n");
            container.exec(Duration.ofMillis(200), "sh", "-c", "while :; do :; done");
            CgroupStats stats = container.stats();
            assertThat(stats.cpuUsageMicros()).isPositive();
            assertThat(container).cpuUsageAtMost(Duration.ofSeconds(10));
        }

        @Test
        @Containerized(cpus = "0.25")
        void aMethodRefinesTheClasssCpus(Container container) {
            boolean v1 = CgroupLayout.detect().version() == CgroupLayout.Version.V1;
            ExecResult quota = container.exec("cat", v1 ? "/sys/fs/cgroup/cpu/cpu.cfs_quota_us" : "/sys/fs/cgroup/cpu.max");
            assertThat(quota.stdout()).isIn("25000\n", "25000 100000\n");
        }
    }

    static class UnparsableCpus {
        @Test
        @Containerized(cpus = "lots")
        void test(Container container) {
        }
    }

    static class BackwardsCpuset {
        @Test
        @Containerized(cpuset = "3-1")
        void test(Container container) {
        }
    }
}
