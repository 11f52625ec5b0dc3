package dev.containerized.container;

import dev.containerized.container.cgroup.CgroupLayout;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CPU limits, for real, on whichever cgroup version the host runs (the cgroup-v2 run in User-Mode
 * Linux runs these too, on one CPU): a quota that caps CPU time, a set of CPUs, and the usage figure.
 */
class CpuLimitTests {
    private static final boolean V1 = CgroupLayout.detect().version() == CgroupLayout.Version.V1;
    /** Two loops: without a limit they would take two CPUs on this 2-core host, one in the UML guest. */
    private static final String TWO_BUSY_LOOPS = "while :; do :; done & while :; do :; done";

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void halfACpuCapsBusyLoopsAtAboutHalfOfOneCpu() throws Exception {
        // A container without a limit runs the same loops at the same time: what it gets is what this
        // shared machine offers now, the reference for the limited one.
        try (Container limited = Container.start(ContainerSpec.builder().cpus(0.5).build());
             Container free = Container.start(ContainerSpec.builder().build())) {
            BackgroundProcess limitedLoops = limited.execInBackground("sh", "-c", TWO_BUSY_LOOPS + "; wait");
            BackgroundProcess freeLoops = free.execInBackground("sh", "-c", TWO_BUSY_LOOPS + "; wait");
            Thread.sleep(300);
            long limitedBefore = limited.stats().cpuUsageMicros();
            long freeBefore = free.stats().cpuUsageMicros();
            long start = System.nanoTime();
            Thread.sleep(3000);
            double wallMicros = (System.nanoTime() - start) / 1000.0;
            double share = (limited.stats().cpuUsageMicros() - limitedBefore) / wallMicros;
            double reference = (free.stats().cpuUsageMicros() - freeBefore) / wallMicros;
            assertThat(limitedLoops.isAlive()).isTrue();
            assertThat(freeLoops.isAlive()).isTrue();

            String figures = String.format("CPUs' worth: %.2f under cpus=0.5, %.2f without a limit, over %.1f s", share,
                    reference, wallMicros / 1e6);
            System.out.println(figures);
            // The quota is a cap, whatever else runs: 50 ms per 100 ms period.
            assertThat(share).as(figures).isLessThanOrEqualTo(0.6);
            // And it is a share the container gets: half a CPU on an idle machine, less only where the
            // machine gives even the unlimited loops little (two loops got 0.46 CPUs on a busy 2-core host).
            assertThat(share).as(figures).isGreaterThanOrEqualTo(Math.min(0.35, 0.55 * reference));
            // About 1.5 s of CPU in 3.3 s; without the limit it would be up to twice the wall time.
            assertThat(limited).cpuUsageAtMost(Duration.ofMillis(2300));
        }
    }

    @Test
    void theQuotaIsWrittenAsDockerWritesIt() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().cpus(0.25).build())) {
            if (V1) {
                assertThat(c.exec("cat", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us").stdout())
                        .isEqualTo("25000\n100000\n");
            } else {
                assertThat(c.exec("cat", "/sys/fs/cgroup/cpu.max").stdout()).isEqualTo("25000 100000\n");
            }
        }
    }

    @Test
    void withoutALimitTheUsageIsCountedAndNoQuotaIsSet() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            c.exec(Duration.ofMillis(500), "sh", "-c", "while :; do :; done");
            CgroupStats stats = c.stats();
            assertThat(stats.cpuUsageMicros()).as("%s", stats).isGreaterThan(100_000);
            assertThat(stats.cpuUsage()).hasValueSatisfying(d -> assertThat(d.toMillis()).isGreaterThan(100));
            String quota = V1 ? c.exec("cat", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us").stdout()
                    : c.exec("sh", "-c", "cat /sys/fs/cgroup/cpu.max 2>/dev/null || echo max").stdout();
            assertThat(quota).isIn("-1\n", "max\n", "max 100000\n");
        }
    }

    @Test
    void aCpusetPinsEveryProcessToItsCpus() throws Exception {
        String cpu = lastAvailableCpu();
        ContainerSpec spec = ContainerSpec.builder().cpuset(cpu).build();
        if (!V1 && !Files.readString(v2Top().resolve("cgroup.controllers")).contains("cpuset")) {
            // A kernel without the v2 cpuset controller (the UML guest's): the start says so, and leaves nothing.
            assertThatThrownBy(() -> Container.start(spec)).isInstanceOf(ContainerException.class)
                    .hasMessageContaining("cpuset needs the cgroup v2 cpuset controller")
                    .hasMessageContaining("leave cpuset unset");
            return;
        }
        try (Container c = Container.start(spec)) {
            ExecResult allowed = c.exec("sh", "-c", "grep Cpus_allowed_list /proc/self/status");
            assertThat(allowed.stdout()).as(allowed.describe()).isEqualTo("Cpus_allowed_list:\t" + cpu + "\n");
            String file = V1 ? "/sys/fs/cgroup/cpuset/cpuset.cpus" : "/sys/fs/cgroup/cpuset.cpus";
            assertThat(c.exec("cat", file).stdout()).isEqualTo(cpu + "\n");
        }
    }

    /**
     * v1: a new cpuset cgroup takes no task until it has CPUs and memory nodes. The first start of a JVM
     * has the kernel copy them from our parent cgroup into each new one (clone_children); a start still
     * works when the flag is gone, filling them in itself.
     */
    @Test
    void aV1CpusetGetsItsCpusFromOurParentWithOrWithoutCloneChildren() throws Exception {
        CgroupLayout.Hierarchy cpuset = CgroupLayout.detect().hierarchies().get("cpuset");
        assumeTrue(V1 && cpuset != null, "cgroup v1 with a cpuset hierarchy");
        Path parent = cpuset.ownCgroup().resolve("containerized");
        Path cloneChildren = parent.resolve("cgroup.clone_children");
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            assertThat(c.exec("true")).succeeded(); // this JVM has set the flag, or found it set
        }
        try {
            Files.writeString(cloneChildren, "0"); // as another tool could
            try (Container c = Container.start(ContainerSpec.builder().build())) {
                assertThat(c.exec("true")).succeeded();
                assertThat(Files.readString(parent.resolve(c.id()).resolve("cpuset.cpus")).strip()).isNotEmpty();
            }
            assertThat(Files.readString(cloneChildren).strip()).as("this JVM sets it once").isEqualTo("0");

            Process fresh = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), FirstStartOfAJvm.class.getName())
                    .redirectErrorStream(true).start();
            String output = new String(fresh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(fresh.waitFor()).as(output).isZero();
            assertThat(Files.readString(cloneChildren).strip()).as("set by a JVM's first start").isEqualTo("1");
        } finally {
            Files.writeString(cloneChildren, "1");
        }
    }

    /** A JVM that runs one container. */
    public static final class FirstStartOfAJvm {
        public static void main(String[] args) {
            if (!Container.run(ContainerSpec.builder().build(), "true").succeeded()) {
                System.exit(1);
            }
        }
    }

    @Test
    void cpuUsageAtMostFailsWithTheFigures() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            c.exec(Duration.ofMillis(300), "sh", "-c", "while :; do :; done");
            assertThatThrownBy(() -> assertThat(c).cpuUsageAtMost(Duration.ofMillis(1)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("CPU usage of container " + c.id())
                    .hasMessageContaining("cpuUsageMicros=");
            assertThat(c).cpuUsageAtMost(Duration.ofSeconds(30));
        }
    }

    private static String lastAvailableCpu() {
        java.util.BitSet cpus = CpuList.available();
        return Integer.toString(cpus.length() - 1);
    }

    private static Path v2Top() {
        return CgroupLayout.detect().hierarchies().get(CgroupLayout.UNIFIED).mountPoint();
    }
}
