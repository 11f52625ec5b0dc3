package dev.containerized.cli;

import dev.containerized.container.Leaks;
import dev.containerized.container.cgroup.CgroupLayout;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.containerized.cli.MainTests.cli;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code run --cpus N --cpuset-cpus LIST}, as docker run takes them. */
class MainCpuTests {
    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void cpusBecomeTheContainersQuota() throws Exception {
        boolean v1 = CgroupLayout.detect().version() == CgroupLayout.Version.V1;
        MainTests.Run run = cli("run", "--cpus", "0.5", "--cpuset-cpus", "0", "--",
                "cat", v1 ? "/sys/fs/cgroup/cpu/cpu.cfs_quota_us" : "/sys/fs/cgroup/cpu.max");
        if (!v1 && run.stderr().contains("cpuset needs the cgroup v2 cpuset controller")) {
            // A kernel without the v2 cpuset controller (the UML guest's) says so; the quota alone still works.
            assertThat(run.status()).isEqualTo(125);
            run = cli("run", "--cpus", "0.5", "--", "cat", "/sys/fs/cgroup/cpu.max");
        }
        assertThat(run.status()).as(run.stderr()).isZero();
        assertThat(run.stdout()).isIn("50000\n", "50000 100000\n");
    }

    @Test
    void badCpuValuesSayWhatIsWrongAndExit2() throws Exception {
        MainTests.Run cpus = cli("run", "--cpus", "lots", "--", "sh");
        assertThat(cpus.status()).isEqualTo(2);
        assertThat(cpus.stderr()).contains("cpus \"lots\" does not parse").contains("usage:");
        assertThat(cli("run", "--cpus", "0", "--", "sh").stderr()).contains("cpus 0.0 must be positive");
        assertThat(cli("run", "--cpuset-cpus", "0-", "--", "sh").stderr()).contains("cpuset \"0-\" does not parse");
        assertThat(cli("run", "--cpuset-cpus", "4095", "--", "sh").stderr()).contains("which this host does not offer");
    }
}
