package dev.containerized.container;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

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
    void aJvmReportsTheContainersMemoryLimitAndSizesItsHeapForIt() {
        try (Container c = Container.start(jdk().memoryLimit("256m").build())) {
            ExecResult settings = c.exec(java, "-XshowSettings:system", "-version");
            String output = settings.stdout() + settings.stderr();
            assertThat(settings.exitCode()).as(settings.describe()).isZero();
            assertThat(output).as(settings.describe()).contains("Memory Limit: 256.00M").containsPattern("Provider: cgroupv[12]");
            // Below 512 MiB the JVM takes its small-memory rule: at most half of the limit (not a quarter
            // of the host's memory, gigabytes, as without a visible limit).
            assertThat(maxHeapSize(c)).isBetween(64 * MIB, 128 * MIB);
        }
        try (Container c = Container.start(jdk().memoryLimit("1g").build())) {
            // The default MaxRAMPercentage, 25: a quarter of the limit.
            assertThat(maxHeapSize(c)).isEqualTo(256 * MIB);
        }
    }

    private static long maxHeapSize(Container c) {
        ExecResult flags = c.exec(java, "-XX:+PrintFlagsFinal", "-version");
        Matcher heap = Pattern.compile("size_t MaxHeapSize\\s+= (\\d+)").matcher(flags.stdout());
        assertThat(heap.find()).as(flags.describe()).isTrue();
        return Long.parseLong(heap.group(1));
    }

    @Test
    void aJvmCountsTheCpusLimitAsItsProcessors() {
        try (Container c = Container.start(jdk().cpus(1).memoryLimit("256m").build())) {
            ExecResult probe = c.exec(java, "-cp", "/probe", "Probe");
            assertThat(probe.stdout()).as(probe.describe()).contains("availableProcessors=1\n");
            ExecResult settings = c.exec(java, "-XshowSettings:system", "-version");
            assertThat(settings.stdout() + settings.stderr()).as(settings.describe())
                    .contains("CPU Quota: 100000us").contains("CPU Period: 100000us");
        }
    }
}
