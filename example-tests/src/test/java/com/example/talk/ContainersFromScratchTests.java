package com.example.talk;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.ExecResult;
import dev.containerized.junit.Containerized;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The talk "containers from scratch", retold as tests: each step of building a container, asserted on
 * a real one.
 */
@Containerized(hostname = "container")
class ContainersFromScratchTests {

    @Test
    void theContainerHasAHostnameOfItsOwn(Container container) throws Exception {
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        assertThat(container).hasHostname("container");
        assertThat(host).isNotEqualTo("container");
    }

    @Test
    void theFirstProcessIsPid1() {
        // `run` semantics: the command itself is PID 1 of its pid namespace.
        ExecResult run = Container.run(ContainerSpec.builder().build(), "sh", "-c", "echo $$");
        assertThat(run).succeeded().stdout().isEqualTo("1\n");
    }

    @Test
    void psShowsOnlyTheContainersProcesses(Container container) {
        ExecResult ps = container.exec("ps", "-o", "pid,args");
        assertThat(ps).succeeded().stdout().containsPattern("(?m)^\\s*1 ");
        assertThat(ps.stdout().lines().count()).as(ps.stdout()).isLessThanOrEqualTo(4); // header, init, ps (and its shell)
        assertThat(container).hasOwnPidNamespace();
    }

    @Test
    void theRootDirectoryIsTheRootfsNotTheHosts(Container container) {
        assertThat(container.exec("ls", "/")).succeeded().stdout().contains("bin", "proc", "etc").doesNotContain("work");
        assertThat(container.exec("ls", "/work")).exitedWith(1);
    }

    @Test
    void procIsTheContainersOwn(Container container) {
        assertThat(container.exec("sh", "-c", "ls -d /proc/[0-9]* | wc -l")).succeeded().stdout().matches("\\s*[1-4]\\n");
        assertThat(container.exec("cat", "/proc/1/cmdline")).stdout().contains("containerized-init");
    }

    @Test
    void mountsDoNotLeakEitherWay(Container container) throws Exception {
        String inside = container.exec("cat", "/proc/self/mounts").stdout();
        assertThat(inside).contains("proc /proc proc");
        // Its own cgroup, read-only, is all it sees of the host's cgroup tree.
        assertThat(inside.lines().filter(l -> l.split(" ")[1].startsWith("/sys/fs/cgroup")))
                .isNotEmpty().allSatisfy(l -> assertThat(l.split(" ")[3]).startsWith("ro,"));
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(container.id());
    }

    @Test
    @Containerized(pidsLimit = 20)
    void theForkBombIsCappedAt20(Container container) {
        ExecResult bomb = container.exec(Duration.ofSeconds(3), "bash", "-c", "while :; do bash -c ':(){ :|:& };:'; done");
        assertThat(bomb).timedOut();
        assertThat(container).pidsNeverExceeded(20).refusedForks();
    }

    @Test
    @Containerized(memoryLimit = "64m")
    void aMemoryHogIsOomKilled(Container container) {
        ExecResult hog = container.exec("bash", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' x); echo ${#x}");
        assertThat(hog).wasOomKilled().stdout().isEmpty();
        assertThat(container).hadOomKill().memoryPeakAtMost("64m");
    }

    @Test
    void theContainersWritesStayInTheContainer(Container container) {
        assertThat(container.exec("sh", "-c", "echo hi > /etc/motd && cat /etc/motd")).stdout().isEqualTo("hi\n");
        try (Container other = Container.start(ContainerSpec.builder().build())) {
            assertThat(other.exec("cat", "/etc/motd")).exitedWith(1);
        }
    }
}
