package dev.containerized.container;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The question at the end of the talk: does a JVM in a container see its limits? It does, as under
 * Docker: the JDK's own container detection finds the container's cgroup at /sys/fs/cgroup and sizes
 * itself for it (on v1 here, on v2 in the User-Mode Linux run). The JVM is the one running these tests,
 * in a rootfs of its own ({@link JdkRootfs}).
 */
class JvmInsideTests {
    private static final long MIB = 1 << 20;
    private static final Duration JVM_TIMEOUT = Duration.ofMinutes(3);
    private static String java;

    @BeforeAll
    static void buildTheRootfs() {
        JdkRootfs.path();
        java = JdkRootfs.javaHome().resolve("bin/java").toString();
    }

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    private static ContainerSpec.Builder jdk() {
        return ContainerSpec.builder().rootfs(JdkRootfs.path()).execTimeout(JVM_TIMEOUT);
    }

    @Test
    void theJdkReportsTheContainersLimits() {
        try (Container c = Container.start(jdk().memoryLimit("256m").cpus(1).build())) {
            ExecResult settings = c.exec(java, "-XshowSettings:system", "-version");
            assertThat(settings.exitCode()).as(settings.describe()).isZero();
            assertThat(settings.stdout() + settings.stderr()).as(settings.describe())
                    .containsPattern("Provider: cgroupv[12]")
                    .contains("Memory Limit: 256.00M")
                    .contains("CPU Quota: 100000us").contains("CPU Period: 100000us")
                    .contains("Effective CPU Count: 1");
        }
    }

    @Test
    void theJvmSizesItsHeapForTheMemoryLimit() {
        assumeHotSpotSeesCgroups();
        try (Container c = Container.start(jdk().memoryLimit("256m").build())) {
            // Below 512 MiB the JVM takes its small-memory rule: at most half of the limit (not a quarter
            // of the host's memory, gigabytes, as without a visible limit).
            assertThat(maxHeapSize(c)).isBetween(64 * MIB, 128 * MIB);
        }
        try (Container c = Container.start(jdk().memoryLimit("1g").build())) {
            // The default MaxRAMPercentage, 25: a quarter of the limit.
            assertThat(maxHeapSize(c)).isEqualTo(256 * MIB);
        }
    }

    @Test
    void availableProcessorsIsTheCpusLimit() {
        assumeHotSpotSeesCgroups();
        try (Container c = Container.start(jdk().cpus(1).build())) {
            assertThat(probe(c)).contains("availableProcessors=1\n");
        }
        if (CpuList.available().cardinality() >= 2) {
            // JDK 17 rounds a fraction of a CPU up: 1.5 CPUs' worth is 2 processors.
            try (Container c = Container.start(jdk().cpus(1.5).build())) {
                assertThat(probe(c)).contains("availableProcessors=2\n");
            }
        }
    }

    private static String probe(Container c) {
        ExecResult probe = c.exec(java, "-cp", "/probe", "Probe");
        assertThat(probe.exitCode()).as(probe.describe()).isZero();
        return probe.stdout();
    }

    private static long maxHeapSize(Container c) {
        ExecResult flags = c.exec(java, "-XX:+PrintFlagsFinal", "-version");
        Matcher heap = Pattern.compile("size_t MaxHeapSize\\s+= (\\d+)").matcher(flags.stdout());
        assertThat(heap.find()).as(flags.describe()).isTrue();
        return Long.parseLong(heap.group(1));
    }

    /**
     * HotSpot (JDK 17's, in C++, apart from the Java-side metrics above) gives up on cgroups when the
     * kernel lacks any of the cpuset, cpu, cpuacct and memory controllers ("One or more required
     * controllers disabled at kernel level"): the User-Mode Linux guest's kernel has no cpuset.
     */
    private static void assumeHotSpotSeesCgroups() {
        try {
            List<String> controllers = Files.readAllLines(Path.of("/proc/cgroups")).stream()
                    .map(line -> line.split("\\s+")[0]).toList();
            assumeTrue(controllers.containsAll(List.of("cpuset", "cpu", "cpuacct", "memory")),
                    "this kernel lacks one of the cpuset, cpu, cpuacct and memory controllers (/proc/cgroups lists "
                            + controllers + "), so JDK 17's HotSpot ignores cgroup limits on it, in a container or not");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
