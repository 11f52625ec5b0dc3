package dev.containerized.reliability;

import dev.containerized.container.BackgroundProcess;
import dev.containerized.container.Container;
import dev.containerized.container.ContainerException;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.ExecResult;
import dev.containerized.container.Leaks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Faults from inside and outside a container, each leaving nothing behind, and the next container
 * starting as usual: PID 1 killed from the host, full filesystems inside and under the state directory,
 * commands that close their output or leave it open behind them, a flood of output, many files, a
 * read-only or full state directory, and the cgroupfs going read-only in the middle of a run.
 */
class FaultTests {
    private static final ContainerSpec SPEC = ContainerSpec.builder().pidsLimit(64).build();

    @AfterEach
    void nothingLeftBehindAndTheNextContainerStarts() {
        assertThat(Leaks.find()).isEmpty();
        try (Container next = Container.start(SPEC)) {
            assertThat(next.exec("echo", "next").stdout()).isEqualTo("next\n");
        }
        Tally.containers(1);
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void pid1KilledFromTheHostEndsTheContainerAndEveryWaiterIsToldWhy() throws Exception {
        Container c = Container.start(SPEC);
        Tally.containers(1);
        Tally.faults(1);
        try {
            BackgroundProcess background = c.execInBackground("sleep", "600");
            background.pid();
            CompletableFuture<ExecResult> foreground = CompletableFuture.supplyAsync(() -> c.exec("sleep", "600"));
            while (c.exec("ps", "-o", "args").stdout().lines().filter(l -> l.equals("sleep 600")).count() < 2) {
                Thread.sleep(10);
            }
            long pid1 = c.initPid();
            ProcessHandle.of(pid1).orElseThrow().destroyForcibly(); // SIGKILL, from the host

            String why = "ended because its PID 1 ended (killed by signal 9)";
            assertThatThrownBy(() -> background.await(Duration.ofSeconds(10))).isInstanceOf(ContainerException.class)
                    .hasMessageContaining(why).hasMessageContaining("[sleep, 600]");
            assertThatThrownBy(() -> foreground.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ContainerException.class)
                    .hasMessageContaining(why);
            assertThat(c.isRunning()).isFalse();
            assertThatThrownBy(() -> c.exec("true")).isInstanceOf(ContainerException.class)
                    .hasMessageContaining("container " + c.id() + " has ended: its PID 1 ended (killed by signal 9)");
            assertThat(c.stats().pidsCurrent()).isZero();
        } finally {
            c.close();
        }
    }

    @Test
    void aCommandThatClosesItsOutputAndKeepsRunningGivesItsResultAtItsExit() {
        try (Container c = Container.start(SPEC)) {
            Tally.containers(1);
            Tally.faults(2);
            ExecResult closedStdout = c.exec("sh", "-c", "echo before; exec >&-; sleep 0.5; echo after >&2; exit 3");
            assertThat(closedStdout.exitCode()).isEqualTo(3);
            assertThat(closedStdout.stdout()).isEqualTo("before\n");
            assertThat(closedStdout.stderr()).isEqualTo("after\n");
            assertThat(closedStdout.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(500));

            ExecResult closedBoth = c.exec("sh", "-c", "exec >&- 2>&-; sleep 0.5; exit 4");
            assertThat(closedBoth.exitCode()).isEqualTo(4);
            assertThat(closedBoth.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(500));
        }
    }

    /**
     * exec returns at the command's exit, also when processes it left in the background hold its stdout
     * and stderr open (a shell's "&"): then 1 s after the exit, with everything the command itself wrote.
     * The background processes keep running; they are not killed and their output does not block.
     */
    @Test
    void aCommandWhoseBackgroundChildHoldsItsOutputGivesItsResultSoonAfterItsExit() {
        try (Container c = Container.start(SPEC)) {
            Tally.containers(1);
            Tally.faults(1);
            String lots = "x".repeat(60_000);
            ExecResult r = c.exec(Duration.ofSeconds(60), "sh", "-c",
                    "echo started; printf " + lots + "; (sleep 600; echo never) & (while :; do echo noise >&2; sleep 0.1; done) & exit 5");
            assertThat(r.exitCode()).isEqualTo(5);
            assertThat(r.timedOut()).isFalse();
            assertThat(r.stdout()).isEqualTo("started\n" + lots);
            assertThat(r.duration()).isBetween(Duration.ofMillis(900), Duration.ofSeconds(10));
            assertThat(c.exec("ps", "-o", "args").stdout()).as("the background process still runs").contains("sleep 600");
        }
    }

    @Test
    void aGigabyteOnStdoutKeepsTheHeadAndTheTailInASmallHeap() {
        long bytes = 1L << 30;
        try (ChildJvm flood = ChildJvm.of("flood", Long.toString(bytes)).heap("48m").start()) {
            assertThat(flood.awaitExit(Duration.ofMinutes(5))).as(flood.output()).isZero();
            System.out.println("FaultTests: " + flood.awaitLineStartingWith("FLOOD ", Duration.ZERO));
        }
        Tally.containers(1);
        Tally.faults(1);
    }

    /**
     * A close one of whose own steps fails (right after the kill of PID 1, in the kill's block) still
     * removes everything, and another close of the container returns instead of waiting for the first
     * forever.
     */
    @Test
    void aCloseThatFailsAtItsKillStillUndoesEverythingAndLetsOtherClosesReturn() {
        try (ChildJvm child = ChildJvm.of("close-fails").quickStart()
                .property(dev.containerized.container.host.FaultInjection.FAIL_PROPERTY, "close-pid1-killed").start()) {
            assertThat(child.awaitExit(Duration.ofSeconds(120))).as(child.output()).isZero();
            assertThat(child.lines()).as(child.output()).contains("SECOND CLOSE RETURNED", "SLEEPER ended", "LEAKS 0")
                    .anyMatch(l -> l.startsWith("CLOSE FAILED " + dev.containerized.container.host.FaultInjection.FAILED + "close-pid1-killed"));
        }
        Tally.containers(1);
        Tally.faults(1);
    }

    @Test
    void tenThousandFilesWrittenInsideAreAllThereAndAllGoAtClose() {
        Container c = Container.start(SPEC);
        Tally.containers(1);
        Tally.faults(1);
        try {
            ExecResult r = c.exec("sh", "-c", "mkdir /root/many && cd /root/many && i=0; "
                    + "while [ $i -lt 10000 ]; do echo $i > f$i; i=$((i+1)); done; ls | wc -l; cat f9999");
            assertThat(r.succeeded()).as(r.describe()).isTrue();
            assertThat(r.stdout().lines()).containsExactly("10000", "9999");
        } finally {
            long start = System.nanoTime();
            c.close();
            System.out.println("FaultTests: closing a container with 10,000 files in its upper layer took "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
        }
    }

    /**
     * A container can make its upper layer deeper than any path the host may name (PATH_MAX is 4096):
     * closing it still removes all of it, as does the sweep of a dead run's.
     */
    @Test
    void aDirectoryTreeDeeperThanAPathCanNameIsRemovedAtClose() {
        Container c = Container.start(SPEC);
        Tally.containers(1);
        Tally.faults(1);
        try {
            // 25 names of 200 bytes: 5,000 bytes of path below /root, beyond the 4,096 a path may have.
            ExecResult deep = c.exec("sh", "-c", "cd /root && i=0; while [ $i -lt 25 ]; do mkdir $1 && cd -P $1 || exit 1; i=$((i+1)); done; "
                    + "echo bottom > file && pwd -P | wc -c", "sh", "d".repeat(200));
            assertThat(deep.succeeded()).as(deep.describe()).isTrue();
            assertThat(Long.parseLong(deep.stdout().strip())).isGreaterThan(5000);
        } finally {
            c.close();
        }
    }

    /**
     * The state directory's filesystem, holding the writable layers, read-only, full, out of inodes (a clear
     * error before anything is created), small (ENOSPC in the container, told to the command), and the
     * container's own /run tmpfs full; a full one where the layers are in memory still takes a container.
     * Each filesystem is a tmpfs of a child JVM's private mount namespace: the host never sees it.
     */
    @Test
    void aBrokenStateFilesystemIsAClearErrorAndAFullOneInsideIsTheCommandsENOSPC(@TempDir Path dir) throws Exception {
        Path m = dir.resolve("mounts");
        Files.createDirectories(m);
        String script = String.join(" && ",
                "mount -t tmpfs -o size=4m tmpfs " + m,
                "mkdir " + m + "/read-only " + m + "/full " + m + "/no-inodes " + m + "/small " + m + "/run-tmpfs",
                "mount -t tmpfs -o size=1m,ro tmpfs " + m + "/read-only",
                "mount -t tmpfs -o size=256k tmpfs " + m + "/full",
                "mkdir " + m + "/full/containerized",
                "(dd if=/dev/zero of=" + m + "/full/fill bs=4k 2>/dev/null || true)",
                "mount -t tmpfs -o size=1m,nr_inodes=2 tmpfs " + m + "/no-inodes",
                "touch " + m + "/no-inodes/taken",
                "mount -t tmpfs -o size=8m tmpfs " + m + "/small");
        try (ChildJvm child = ChildJvm.of("state-filesystems", m.toString()).quickStart().inPrivateMountNamespace(script).start()) {
            assertThat(child.awaitExit(Duration.ofSeconds(120))).as(child.output()).isZero();
            List<String> cases = child.lines().stream().filter(l -> l.startsWith("CASE ")).toList();
            cases.forEach(l -> System.out.println("FaultTests: " + l));
            assertThat(cases).hasSize(6);
            assertThat(cases.get(0)).contains("read-only").contains("Read-only file system").contains(m + "/read-only/containerized")
                    .contains("-Dcontainerized.stateDir");
            assertThat(cases.get(1)).contains("full").contains(m + "/full/containerized").contains("-Dcontainerized.stateDir");
            assertThat(cases.get(2)).contains("no-inodes").contains("No space left on device").contains("-Dcontainerized.stateDir");
            assertThat(cases.get(5)).isEqualTo("CASE full-in-memory exit=0 stdout=4194304");
            String token = child.awaitLineStartingWith("TOKEN ", Duration.ZERO).substring(6);
            assertThat(Debris.of(token, m)).isEmpty();
        }
        try (java.util.stream.Stream<Path> left = Files.list(m)) {
            assertThat(left.toList()).as("nothing of the child's mounts on the host").isEmpty();
        }
        Tally.containers(6);
        Tally.faults(5);
    }

    /**
     * The cgroup parents become read-only in the middle of a run (in a child JVM's private mount namespace,
     * by a read-only bind mount of each: the cgroupfs itself is not remounted, the host sees nothing): the
     * running container keeps working, a new start is refused at once with a clear error and leaves
     * nothing, close says what it could not remove; the empty cgroup it leaves is the sweep's.
     */
    @Test
    void theCgroupfsGoingReadOnlyMidRunIsAClearErrorAndWhatItStrandsIsSweptLater() throws Exception {
        try (ChildJvm child = ChildJvm.of("cgroupfs-read-only").quickStart().inPrivateMountNamespace("true").start()) {
            child.awaitExit(Duration.ofSeconds(120));
            child.lines().stream().filter(l -> l.startsWith("CASE ") || l.startsWith("LEFT ")).forEach(l -> System.out.println("FaultTests: " + l));
            String token = child.awaitLineStartingWith("TOKEN ", Duration.ZERO).substring(6);
            assertThat(child.lines()).as(child.output()).noneMatch(l -> l.startsWith("FAILED"));
            String refused = child.awaitLineStartingWith("CASE start refused", Duration.ZERO);
            assertThat(refused).contains("cgroup").contains("Read-only file system");
            String close = child.awaitLineStartingWith("CASE close", Duration.ZERO);
            assertThat(close).contains("close failed").contains("Read-only file system");
            // What close could not remove: empty cgroups, which the next sweep takes once they are a minute old.
            assertThat(Debris.of(token, Path.of("/run/containerized"))).allMatch(l -> l.startsWith("cgroup ") && !l.contains("holding"));
            Debris.age(token);
            dev.containerized.container.host.HostContainer.removeWhatDeadRunsLeft(
                    dev.containerized.container.cgroup.CgroupLayout.detect(), Duration.ofMinutes(1));
            assertThat(Debris.of(token, Path.of("/run/containerized"))).isEmpty();
        }
        Tally.containers(2);
        Tally.faults(1);
    }
}
