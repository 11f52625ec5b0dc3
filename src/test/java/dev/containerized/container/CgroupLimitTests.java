package dev.containerized.container;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The pids and memory limits, for real, on whichever cgroup version the host runs. */
class CgroupLimitTests {
    private static final long MIB = 1 << 20;

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void theTalksForkBombIsCappedAt20TasksAndTheHostStaysResponsive() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().pidsLimit(20).build())) {
            // bash's literal bomb; a bash whose fork was refused gives up, so a loop starts it again.
            BackgroundProcess bomb = c.execInBackground("bash", "-c", "while :; do bash -c ':(){ :|:& };:'; done");
            long mostSeen = 0;
            long slowestHostSpawnMillis = 0;
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < end) {
                mostSeen = Math.max(mostSeen, c.stats().pidsCurrent());
                long t0 = System.nanoTime();
                Process hostTrue = new ProcessBuilder("true").start();
                assertThat(hostTrue.waitFor()).isZero();
                slowestHostSpawnMillis = Math.max(slowestHostSpawnMillis, (System.nanoTime() - t0) / 1_000_000);
                Thread.sleep(50);
            }
            // A command started in the full container is refused like a fork, without pushing the count over.
            for (int i = 0; i < 5; i++) {
                ExecResult ps = c.exec("ps");
                assertThat(ps.exitCode()).as(ps.describe()).isIn(0, 1, 2, 126);
                if (ps.exitCode() == 126) {
                    assertThat(ps.stderr()).contains("the container is at its pids limit of 20");
                }
            }
            CgroupStats stats = c.stats();

            assertThat(bomb.isAlive()).as("the bomb kept running for 3 s").isTrue();
            assertThat(stats.pidsPeak()).as("pids.peak").isLessThanOrEqualTo(20).isGreaterThanOrEqualTo(19);
            assertThat(mostSeen).isLessThanOrEqualTo(20);
            assertThat(stats.forksRefused()).as("forks refused by pids.max").isPositive();
            assertThat(slowestHostSpawnMillis).as("slowest host process start while the bomb ran, ms").isLessThan(2000);
        }
        // close() ended the bomb: the @AfterEach finds no process, cgroup or mount left.
    }

    @Test
    void aHogPastTheMemoryLimitIsOomKilledAndTheResultSaysSo() {
        try (Container c = Container.start(ContainerSpec.builder().memoryLimit("64m").build())) {
            ExecResult hog = c.exec("bash", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' x); echo ${#x}");

            assertThat(hog.oomKilled()).as(hog.describe()).isTrue();
            assertThat(hog.signal()).hasValue(9);
            assertThat(hog.stdout()).isEmpty();
            CgroupStats stats = c.stats();
            assertThat(stats.oomKills()).isPositive();
            assertThat(stats.memoryPeakBytes()).isLessThanOrEqualTo(64 * MIB).isGreaterThan(32 * MIB);
            // The container lives on, and a modest command runs fine.
            ExecResult small = c.exec("sh", "-c", "head -c 8000000 /dev/zero | wc -c");
            assertThat(small.stdout().strip()).isEqualTo("8000000");
            assertThat(small.oomKilled()).isFalse();
        }
    }

    @Test
    void pid1IsInsideItsContainersCgroupAndCostsItOneTaskAndLittleMemory() {
        try (Container c = Container.start(ContainerSpec.builder().pidsLimit(20).memoryLimit("64m").build())) {
            CgroupStats idle = c.stats();
            // PID 1 joined before it forked anything, as Docker's init would be: one task, a few pages.
            assertThat(idle.pidsCurrent()).isEqualTo(1);
            assertThat(idle.memoryBytes()).isLessThan(MIB);
            assertThat(c.exec("true").succeeded()).isTrue();
            assertThat(c.stats().pidsCurrent()).isEqualTo(1);
        }
    }

    @Test
    void statsStayReadableAfterClose() {
        Container c = Container.start(ContainerSpec.builder().pidsLimit(20).build());
        c.exec("sh", "-c", "sleep 0.1 & sleep 0.1 & wait");
        c.close();
        assertThat(c.stats().pidsPeak()).isGreaterThanOrEqualTo(3);
    }
}
