package dev.containerized.container;

import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.cgroup.CgroupLimits;
import dev.containerized.container.cgroup.ContainerCgroup;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where processes land and how a cgroup is torn down, on whichever cgroup version the host runs (the
 * cgroup-v2 run in User-Mode Linux runs these too).
 */
class CgroupPlacementTests {
    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void everyProcessOfTheContainerIsInItsCgroupPid1Too() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().pidsLimit(50).build())) {
            // Commands that fork at once: a fork before a late move would escape the cgroup.
            for (int i = 0; i < 5; i++) {
                c.execInBackground("sh", "-c", "sleep 5 & sleep 5 & exec sleep 5");
            }
            c.exec("sleep", "0.5");
            Set<Long> inNamespace = new java.util.HashSet<>(c.hostPids());
            // PID 1 joined the cgroup before it forked anything: every command is born inside.
            assertThat(inNamespace).contains(c.initPid()).hasSizeGreaterThanOrEqualTo(16);
            assertThat(processesInContainerCgroup(c)).containsExactlyInAnyOrderElementsOf(inNamespace);
        }
    }

    @Test
    void teardownKillsWhatIsLeftInTheCgroupAndRemovesIt() throws Exception {
        CgroupLayout layout = CgroupLayout.detect();
        String id = "teardown-test";
        ContainerCgroup cgroup = ContainerCgroup.create(layout, id, new CgroupLimits(OptionalLong.of(10), OptionalLong.empty()));
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            for (Path parent : ContainerCgroup.parents(layout)) {
                Files.writeString(parent.resolve(id).resolve("cgroup.procs"), Long.toString(sleeper.pid()));
            }
            assertThat(cgroup.stats().pidsCurrent()).isEqualTo(1);
            cgroup.destroy(Duration.ofSeconds(10));
            assertThat(sleeper.waitFor()).isEqualTo(128 + 9);
            for (Path parent : ContainerCgroup.parents(layout)) {
                assertThat(parent.resolve(id)).doesNotExist();
            }
        } finally {
            sleeper.destroyForcibly();
            cgroup.destroy(Duration.ofSeconds(10));
        }
    }

    static Set<Long> processesInContainerCgroup(Container c) throws IOException {
        Path dir = ContainerCgroup.parents(CgroupLayout.detect()).get(0).resolve(c.id());
        return Files.readAllLines(dir.resolve("cgroup.procs")).stream().map(Long::valueOf).collect(Collectors.toSet());
    }
}
