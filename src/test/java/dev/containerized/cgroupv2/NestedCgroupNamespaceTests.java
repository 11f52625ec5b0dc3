package dev.containerized.cgroupv2;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerException;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.Leaks;
import dev.containerized.container.cgroup.CgroupV2;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A privileged CI container on a cgroup-v2 host: its own cgroup namespace whose root holds the test
 * JVM. The guest script sets this up (a cgroup "ci" holding the JVM, then unshare --cgroup --mount
 * and a fresh cgroup2 mount) and sets CONTAINERIZED_NESTED_CGROUPNS; elsewhere these are skipped.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NestedCgroupNamespaceTests {
    private static final Path TOP = Path.of("/sys/fs/cgroup");

    @BeforeEach
    void onlyInTheNestedSetup() {
        assumeTrue(System.getenv("CONTAINERIZED_NESTED_CGROUPNS") != null,
                "needs the nested cgroup namespace that src/test/uml/run-cgroup-v2-tests.sh sets up");
    }

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    @Order(1)
    void theTopIsNotTheTrueRootAndHoldsThisJvm() throws Exception {
        assertThat(TOP.resolve("cgroup.type")).exists();
        assertThat(Files.readAllLines(TOP.resolve("cgroup.procs"))).contains(Long.toString(ProcessHandle.current().pid()));
    }

    @Test
    @Order(2)
    void byDefaultAContainerIsRefusedWithTheRuleAndTheFix() {
        assertThatThrownBy(() -> Container.start(ContainerSpec.builder().pidsLimit(20).build()))
                .isInstanceOf(ContainerException.class)
                .hasMessageContaining("no internal processes")
                .hasMessageContaining("-D" + CgroupV2.MOVE_TO_LEAF_PROPERTY + "=true");
    }

    @Test
    @Order(3)
    void withTheOptInTheProcessesMoveToALeafAndContainersRun() throws Exception {
        System.setProperty(CgroupV2.MOVE_TO_LEAF_PROPERTY, "true");
        try (Container c = Container.start(ContainerSpec.builder().pidsLimit(20).memoryLimit("64m").build())) {
            assertThat(Files.readAllLines(TOP.resolve("cgroup.procs"))).isEmpty();
            assertThat(Files.readAllLines(TOP.resolve("containerized-host/cgroup.procs")))
                    .contains(Long.toString(ProcessHandle.current().pid()));
            assertThat(c.exec("sh", "-c", "echo $$; cat /proc/self/cgroup")).succeeded();
            assertThat(c.exec(java.time.Duration.ofSeconds(3), "bash", "-c", "while :; do bash -c ':(){ :|:& };:'; done")).timedOut();
            assertThat(c).pidsNeverExceeded(20).refusedForks();
        } finally {
            System.clearProperty(CgroupV2.MOVE_TO_LEAF_PROPERTY);
        }
    }
}
