package dev.containerized.cgroupv2;

import dev.containerized.container.CgroupStats;
import dev.containerized.container.Container;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.ExecResult;
import dev.containerized.container.Leaks;
import dev.containerized.container.cgroup.CgroupLayout;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What only a cgroup-v2 host shows. This project's CI host is v1, so these run in the User-Mode Linux
 * guest of src/test/uml/run-cgroup-v2-tests.sh; on a v1 host they are skipped, saying so.
 */
class CgroupV2Tests {
    private static final Path PARENT = Path.of("/sys/fs/cgroup/containerized");

    @BeforeEach
    void onlyOnV2() {
        assumeTrue(CgroupLayout.detect().version() == CgroupLayout.Version.V2,
                "this host's pids and memory controllers are cgroup v1: run src/test/uml/run-cgroup-v2-tests.sh");
    }

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void theLayoutIsV2AndOurCgroupsLiveUnderOneParent() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().pidsLimit(20).memoryLimit("64m").build())) {
            Path dir = PARENT.resolve(c.id());
            assertThat(dir).isDirectory();
            assertThat(Files.readString(dir.resolve("pids.max")).strip()).isEqualTo("20");
            assertThat(Files.readString(dir.resolve("memory.max")).strip()).isEqualTo(Long.toString(64L << 20));
            assertThat(Files.readString(dir.resolve("memory.swap.max")).strip()).isEqualTo("0");
            assertThat(Files.readString(PARENT.resolve("cgroup.subtree_control"))).contains("pids").contains("memory");
        }
    }

    @Test
    void aCommandSeesItsContainersCgroupAsTheRootOfItsOwnNamespace() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            ExecResult r = c.exec("cat", "/proc/self/cgroup");
            // PID 1 joined the cgroup, then rooted a cgroup namespace there: as under Docker.
            assertThat(r.stdout()).as(r.describe()).isEqualTo("0::/\n");
            assertThat(Files.readString(PARENT.resolve(c.id()).resolve("cgroup.procs")).lines())
                    .contains(Long.toString(c.initPid()));
        }
    }

    @Test
    void pidsEventsCountTheRefusedForksOfABomb() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().pidsLimit(20).build())) {
            c.exec(Duration.ofSeconds(5), "bash", "-c", "while :; do bash -c ':(){ :|:& };:'; done");
            long refused = Long.parseLong(Files.readAllLines(PARENT.resolve(c.id()).resolve("pids.events")).stream()
                    .filter(l -> l.startsWith("max ")).findFirst().orElseThrow().substring(4).strip());
            CgroupStats stats = c.stats();
            assertThat(refused).isPositive();
            assertThat(stats.forksRefused()).isGreaterThanOrEqualTo(refused);
            assertThat(stats.pidsPeak()).as("pids.peak (Linux 6.1 has it on v2)").isBetween(2L, 20L);
        }
    }

    @Test
    void memoryEventsReportTheOomKill() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().memoryLimit("64m").build())) {
            ExecResult hog = c.exec("bash", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' x); echo ${#x}");
            assertThat(hog.oomKilled()).as(hog.describe()).isTrue();
            assertThat(Files.readString(PARENT.resolve(c.id()).resolve("memory.events"))).containsPattern("oom_kill [1-9]");
            assertThat(c.stats().memoryPeakBytes()).isBetween(32L << 20, 64L << 20);
        }
    }
}
