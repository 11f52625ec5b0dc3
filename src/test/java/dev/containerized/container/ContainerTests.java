package dev.containerized.container;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A container per test, for real: namespaces, overlay, cgroups, as root. */
class ContainerTests {
    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void psInsideListsPid1AndOnlyTheContainersProcesses() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            BackgroundProcess sleep = c.execInBackground("sleep", "30");
            ExecResult ps = c.exec("ps", "-o", "pid,args");

            assertThat(ps.succeeded()).as(ps.describe()).isTrue();
            List<String> lines = ps.stdout().strip().lines().skip(1).map(String::strip).toList();
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("1 ").contains("containerized-init"));
            assertThat(lines).anySatisfy(l -> assertThat(l).isEqualTo(sleep.pid() + " sleep 30"));
            // The init, the sleep, ps itself: nothing of the host.
            assertThat(lines).hasSize(3);
        }
    }

    @Test
    void hostnameIsTheContainersOwnAndTheHostsIsUnchanged() throws Exception {
        String hostBefore = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        try (Container c = Container.start(ContainerSpec.builder().hostname("box-under-test").build())) {
            assertThat(c.exec("hostname").stdout()).isEqualTo("box-under-test\n");
            assertThat(c.exec("cat", "/proc/sys/kernel/hostname").stdout()).isEqualTo("box-under-test\n");
        }
        assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip()).isEqualTo(hostBefore);
    }

    @Test
    void mountsDoNotCrossTheBoundaryEitherWay() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            String inside = c.exec("cat", "/proc/self/mountinfo").stdout();
            String host = Files.readString(Path.of("/proc/self/mountinfo"));

            assertThat(inside).doesNotContain(" /work");
            // The cgroupfs inside is the container's own: rooted at its cgroup, read-only (CgroupfsInsideTests).
            assertThat(inside.lines().filter(l -> l.contains(" /sys/fs/cgroup")))
                    .allSatisfy(l -> assertThat(l.split(" ")[3]).as(l).isEqualTo("/"));
            assertThat(inside.lines().map(l -> l.split(" ")[4]))
                    .contains("/", "/proc", "/dev", "/tmp", "/sys").doesNotContain("/run/containerized");
            // The container's overlay, proc and tmpfs are not the host's.
            assertThat(host).doesNotContain(c.id());
            ExecResult mount = c.exec("sh", "-c", "mkdir /mnt/x && mount -t tmpfs none /mnt/x; echo $?");
            assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain("/mnt/x");
            assertThat(mount.stdout().strip()).isNotEqualTo("0"); // no CAP_SYS_ADMIN inside
        }
    }

    @Test
    void theRootfsIsCopyOnWriteAndTheSharedTreeNeverChanges() {
        Path rootfs = dev.containerized.rootfs.DefaultRootfs.path();
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            assertThat(c.exec("sh", "-c", "echo data > /etc/written && rm /bin/ls && cat /etc/written").stdout())
                    .isEqualTo("data\n");
            assertThat(c.exec("ls").exitCode()).isEqualTo(127);
        }
        assertThat(rootfs.resolve("etc/written")).doesNotExist();
        assertThat(rootfs.resolve("bin/ls")).exists();
        try (Container fresh = Container.start(ContainerSpec.builder().build())) {
            assertThat(fresh.exec("ls", "/etc/written").exitCode()).isNotZero();
        }
    }

    @Test
    void aRootfsWhosePathHoldsCommasColonsAndSpacesWorks(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // Overlay's options separate layers with ':' and options with ',': the layers are named by links.
        Path odd = Files.createSymbolicLink(dir.resolve("a,b:c d"), dev.containerized.rootfs.DefaultRootfs.path());
        try (Container c = Container.start(ContainerSpec.builder().rootfs(odd).build())) {
            assertThat(c.exec("cat", "/etc/hosts").stdout()).contains("localhost");
            // Nor does the container see where its layers are on the host.
            assertThat(c.exec("cat", "/proc/self/mountinfo").stdout()).doesNotContain(dir.toString()).doesNotContain("containerized/");
        }
    }

    @Test
    void exitCodesSignalsAndSeparateStreams() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            ExecResult r = c.exec("sh", "-c", "echo out; echo err >&2; exit 3");
            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.stdout()).isEqualTo("out\n");
            assertThat(r.stderr()).isEqualTo("err\n");
            assertThat(r.signal()).isEmpty();
            assertThat(r.succeeded()).isFalse();

            ExecResult killed = c.exec("sh", "-c", "kill -TERM $$");
            assertThat(killed.signal()).hasValue(15);
            assertThat(killed.exitCode()).isEqualTo(128 + 15);
            assertThat(killed.oomKilled()).isFalse();

            assertThat(c.exec("true").succeeded()).isTrue();
        }
    }

    @Test
    void aMissingCommandExits127WithAClearMessage() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            ExecResult r = c.exec("no-such-program", "x");
            assertThat(r.exitCode()).isEqualTo(127);
            assertThat(r.stderr()).contains("no-such-program").contains("not found");

            ExecResult byPath = c.exec("/nope/prog");
            assertThat(byPath.exitCode()).isEqualTo(127);
            assertThat(byPath.stderr()).contains("/nope/prog");

            // There, but what it needs to run is not: named, as a shell says "bad interpreter".
            c.copyTo("#!/opt/python/bin/python3 -u\nprint('hi')\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), "/srv/script");
            assertThat(c.exec("chmod", "755", "/srv/script").exitCode()).isZero();
            for (Exec script : List.of(Exec.of("/srv/script"), Exec.of("./script").workingDirectory("/srv"))) {
                ExecResult noInterpreter = c.exec(script);
                assertThat(noInterpreter.exitCode()).isEqualTo(127);
                assertThat(noInterpreter.stderr()).contains("script\": it is there, but its interpreter \"/opt/python/bin/python3\" "
                        + "(its #! line) is not there: ENOENT");
            }
            // The host's /usr/bin/true, its ELF interpreter renamed to one no image has.
            String elf = new String(Files.readAllBytes(Path.of("/usr/bin/true")), java.nio.charset.StandardCharsets.ISO_8859_1);
            org.junit.jupiter.api.Assumptions.assumeTrue(elf.contains("/ld-linux"), "the host's /usr/bin/true names no glibc loader");
            c.copyTo(elf.replace("/ld-linux", "/ld-nolnx").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), "/no-loader");
            assertThat(c.exec("chmod", "755", "/no-loader").exitCode()).isZero();
            assertThat(c.exec("/no-loader").stderr()).contains("\"/no-loader\": it is there, but the dynamic loader it names");
            // Found along the PATH; an interpreter that is there but cannot start; Windows line endings.
            c.copyTo("#!/no-loader\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), "/usr/local/bin/tool");
            c.copyTo("#!/bin/sh\r\necho hi\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), "/usr/local/bin/crlf");
            assertThat(c.exec("chmod", "755", "/usr/local/bin/tool", "/usr/local/bin/crlf").exitCode()).isZero();
            assertThat(c.exec("tool").stderr()).contains("\"tool\": /usr/local/bin/tool is there, but its interpreter \"/no-loader\" "
                    + "(its #! line) is there, but the dynamic loader that one names is not: ENOENT");
            assertThat(c.exec(Exec.of("tool").env("PATH", "local/bin").workingDirectory("/usr")).stderr())
                    .as("a relative PATH entry lies below the working directory").contains("\"tool\": /usr/local/bin/tool is there");
            assertThat(c.exec("crlf").stderr()).contains("\"crlf\": /usr/local/bin/crlf is there, but its #! line ends in a carriage "
                    + "return (Windows line endings), so the kernel looks for the interpreter \"/bin/sh\\u000d\"");
        }
    }

    @Test
    void largeAndBinaryOutputArrivesWholeAndManyCommandsRunAtOnce() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            ExecResult big = c.exec("sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' a; head -c 100000 /dev/zero | tr '\\0' b >&2");
            assertThat(big.stdout()).hasSize(3_000_000).matches("a+");
            assertThat(big.stderr()).hasSize(100_000).matches("b+");

            List<BackgroundProcess> many = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                many.add(c.execInBackground("sh", "-c", "sleep 0.$((RANDOM % 3)); echo " + i));
            }
            for (int i = 0; i < 20; i++) {
                assertThat(many.get(i).await(Duration.ofSeconds(30)).stdout()).isEqualTo(i + "\n");
            }
        }
    }

    /**
     * A copy that a close on another thread overlaps (a JUnit timeout's, while the test copies results out)
     * walks a root whose upper layer is deleted under it: it fails, rather than return what it copied
     * (a part of the tree, as a round of attacks found) as if it were all of it.
     */
    @Test
    void aCopyThatACloseOverlapsIsNotPassedOffAsWhole(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Container c = Container.start(ContainerSpec.builder().build());
        assertThat(c.exec("sh", "-c", "mkdir /many && cd /many && seq 3000 | xargs touch").exitCode()).isZero();
        Path target = dir.resolve("many");
        java.util.concurrent.CompletableFuture<Void> copy = java.util.concurrent.CompletableFuture.runAsync(() -> c.copyFrom("/many", target));
        while (!Files.isDirectory(target) || Leaks.list(target).isEmpty()) { // the copy has begun
            assertThat(copy).as("still copying (3000 files take seconds)").isNotDone();
            Thread.sleep(1);
        }
        c.close();
        assertThatThrownBy(() -> copy.get(60, java.util.concurrent.TimeUnit.SECONDS))
                .hasMessageContaining("container " + c.id() + " was closed while copyFrom ran");
    }

    /** Binary output comes back byte for byte when the result is decoded as ISO-8859-1 (UTF-8 would turn bytes into U+FFFD). */
    @Test
    void binaryOutputComesBackWholeInTheCharsetAskedFor() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            Exec cat = Exec.of("sh", "-c", "cat; cat >&2 < /dev/null").stdin(all);
            ExecResult bytes = c.exec(cat.outputCharset(java.nio.charset.StandardCharsets.ISO_8859_1));
            assertThat(bytes.stdout().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo(all);
            assertThat(c.exec(cat).stdout()).contains("\uFFFD"); // UTF-8 unless asked
        }
    }

    /** A background command's lines, for onLine and awaitLine, are decoded in the charset asked for too. */
    @Test
    void aBackgroundCommandsLinesAreInItsOutputCharset() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            // "größe" in ISO-8859-1, then a line UTF-8 would have no character for (0xff 0xfe).
            Exec latin1 = Exec.of("printf", "gr\\366\\337e\\n\\377\\376\\n").outputCharset(java.nio.charset.StandardCharsets.ISO_8859_1);
            java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            BackgroundProcess p = c.execInBackground(latin1, line -> seen.add(line.text()));
            assertThat(p.awaitLine("gr..e", java.time.Duration.ofSeconds(10))).isEqualTo("größe");
            assertThat(p.await().stdout()).isEqualTo("größe\n\u00ff\u00fe\n");
            p.awaitLine("\u00ff\u00fe", java.time.Duration.ofSeconds(10));
            java.time.Instant deadline = java.time.Instant.now().plusSeconds(10);
            while (seen.size() < 2 && java.time.Instant.now().isBefore(deadline)) {
                Thread.sleep(10);
            }
            assertThat(seen).containsExactly("größe", "\u00ff\u00fe");
        }
    }

    /** A wait that runs out does not end the command, which a later wait (of this thread or another) sees end. */
    @Test
    void awaitWithinWaitsWithoutEndingTheCommand() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            BackgroundProcess p = c.execInBackground("sleep", "30");
            assertThat(p.awaitWithin(java.time.Duration.ofMillis(200))).isEmpty();
            assertThat(p.awaitWithin(java.time.Duration.ZERO)).isEmpty();
            assertThatThrownBy(() -> p.awaitWithin(java.time.Duration.ofSeconds(-1))).hasMessageContaining("give Duration.ZERO");
            assertThat(p.isAlive()).isTrue();
            p.signal(15);
            ExecResult ended = p.awaitWithin(java.time.Duration.ofSeconds(10)).orElseThrow();
            assertThat(ended.signal()).hasValue(15);
            assertThat(ended.timedOut()).isFalse();
        }
    }

    @Test
    void aSignalReachesABackgroundCommandAndItsChildren() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            BackgroundProcess tree = c.execInBackground("sh", "-c", "sleep 30 & sleep 30 & wait");
            c.exec("sleep", "0.3");
            tree.signal(15);
            ExecResult r = tree.await(Duration.ofSeconds(10));
            assertThat(r.signal()).hasValue(15);
            // The whole process group got it: nothing of the tree is left.
            assertThat(c.exec("sh", "-c", "ps -o args | grep -c '^sleep 30'").stdout().strip()).isEqualTo("0");
        }
    }

    @Test
    void badExecArgumentsAreRefusedBeforeAnythingRuns() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            assertThatThrownBy(() -> c.exec()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a command");
            assertThatThrownBy(() -> c.exec("echo", null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must not be null");
            assertThat(c.exec("echo", "still fine").stdout()).isEqualTo("still fine\n");
        }
    }

    @Test
    void aCommandPastItsTimeoutIsKilledAndSaysSo() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            // Room for sh to start and print, even in the one-CPU User-Mode Linux guest.
            ExecResult r = c.exec(Duration.ofSeconds(2), "sh", "-c", "echo started; sleep 30");
            assertThat(r.timedOut()).isTrue();
            assertThat(r.signal()).hasValue(9);
            assertThat(r.stdout()).isEqualTo("started\n");
            assertThat(r.duration()).isLessThan(Duration.ofSeconds(20));
        }
    }

    @Test
    void commandsGetOnlyStdioAndTheSpecsEnvironment() {
        try (Container c = Container.start(ContainerSpec.builder().env("GREETING", "hi").workingDirectory("/tmp").build())) {
            assertThat(c.exec("sh", "-c", "ls /proc/self/fd").stdout().strip().lines())
                    .containsExactlyInAnyOrder("0", "1", "2", "3"); // 3: ls's own directory handle
            String env = c.exec("env").stdout();
            assertThat(env).contains("GREETING=hi", "HOSTNAME=containerized", "PATH=" + ContainerSpec.DEFAULT_PATH, "HOME=/root")
                    .doesNotContain("CLASSPATH");
            assertThat(c.exec("pwd").stdout()).isEqualTo("/tmp\n");
            // The init is not dumpable: its host files stay out of reach.
            for (String hostHandle : List.of("/proc/1/exe", "/proc/1/fd/0", "/proc/1/cwd")) {
                ExecResult readlink = c.exec("readlink", hostHandle);
                assertThat(readlink.exitCode()).as(readlink.describe()).isNotZero();
                assertThat(readlink.stdout()).isEmpty();
            }
            ExecResult environ = c.exec("cat", "/proc/1/environ");
            assertThat(environ.exitCode()).isNotZero();
            assertThat(environ.stderr()).contains("Permission denied");
        }
    }

    @Test
    void dockersSeccompProfileIsOnByDefaultAndUnconfinedTurnsItOff() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            ExecResult userns = c.exec("unshare", "-U", "-r", "id", "-u");
            assertThat(userns.exitCode()).as(userns.describe()).isNotZero();
            assertThat(userns.stderr()).contains("Operation not permitted");
            assertThat(c.exec("sh", "-c", "grep Seccomp: /proc/self/status").stdout()).contains("Seccomp:\t2");
            assertThat(c.exec("ps").succeeded()).isTrue();
        }
        try (Container c = Container.start(ContainerSpec.builder().seccomp(Seccomp.UNCONFINED).build())) {
            assertThat(c.exec("sh", "-c", "grep Seccomp: /proc/self/status").stdout()).contains("Seccomp:\t0");
            assertThat(c.exec("unshare", "-U", "-r", "id", "-u").stdout()).isEqualTo("0\n");
        }
    }

    @Test
    void capabilitiesAreDockersDefaults() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            String status = c.exec("cat", "/proc/self/status").stdout();
            String bounding = status.lines().filter(l -> l.startsWith("CapBnd:")).findFirst().orElseThrow();
            assertThat(bounding.split("\\s+")[1]).isEqualTo("00000000a80425fb");
            assertThat(status).contains("NoNewPrivs:\t1");
        }
    }

    @Test
    void theCgroupNamespaceShowsTheContainersCgroupAsRoot() {
        // v2 commands keep the init's cgroup view; CgroupV2Tests asserts what they see there.
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dev.containerized.container.cgroup.CgroupLayout.detect().version() == dev.containerized.container.cgroup.CgroupLayout.Version.V1,
                "cgroup v1 only");
        try (Container c = Container.start(ContainerSpec.builder().pidsLimit(50).build())) {
            String cgroups = c.exec("cat", "/proc/self/cgroup").stdout();
            assertThat(cgroups.lines().filter(l -> l.contains(":pids:") || l.contains(":memory:")))
                    .hasSize(2).allSatisfy(l -> assertThat(l).endsWith(":/"));
        }
    }

    /**
     * close() is idempotent, on any thread: one that finds another thread's close under way returns once
     * that one is over, not at once while PID 1, the cgroups and the state directory are still there (a
     * test's own close beside its JUnit timeout's, a check for leftovers right after).
     */
    @Test
    void aCloseWhileAnotherThreadClosesReturnsOnceTheContainerIsGone() throws Exception {
        for (int round = 0; round < 20; round++) {
            Container c = Container.start(ContainerSpec.builder().build());
            Thread other = new Thread(c::close, "the other closer");
            other.start();
            while (c.isRunning()) {
                Thread.onSpinWait(); // the other thread's close has begun
            }
            c.close();
            List<String> left = Leaks.findNow();
            assertThatThrownBy(c::initPid).hasMessageContaining("is closed: its PID 1 is gone"); // its pid may be another's now
            other.join();
            assertThat(left).as("round " + round + ": left when the second close returned").isEmpty();
        }
    }

    @Test
    void aKilledInitEndsTheContainerAndCloseStillCleansUp() throws Exception {
        Container c = Container.start(ContainerSpec.builder().build());
        try {
            BackgroundProcess sleep = c.execInBackground("sleep", "60");
            sleep.pid();
            ProcessHandle.of(c.initPid()).orElseThrow().destroyForcibly();
            assertThatThrownBy(() -> sleep.await(Duration.ofSeconds(20)))
                    .isInstanceOf(ContainerException.class).hasMessageContaining("ended");
            assertThat(c.isRunning()).isFalse();
            assertThatThrownBy(() -> c.exec("true")).isInstanceOf(ContainerException.class)
                    .hasMessageContaining("ended");
            // Once PID 1 is reaped, its pid is no longer given out: the kernel may give it to another process.
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (true) {
                try {
                    c.initPid();
                } catch (ContainerException reaped) {
                    assertThat(reaped).hasMessageContaining("has ended: its PID 1 is gone");
                    break;
                }
                assertThat(System.nanoTime()).as("PID 1 reaped within 10 s").isLessThan(until);
                Thread.sleep(10);
            }
        } finally {
            c.close();
        }
    }

    @Test
    void commandsRunSideBySideAndInTheBackground() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            BackgroundProcess slow = c.execInBackground("sh", "-c", "sleep 0.5; echo slow");
            BackgroundProcess fast = c.execInBackground("sh", "-c", "echo fast");
            assertThat(fast.await(Duration.ofSeconds(10)).stdout()).isEqualTo("fast\n");
            assertThat(slow.isAlive()).isTrue();
            assertThat(slow.await(Duration.ofSeconds(10)).stdout()).isEqualTo("slow\n");
            // Orphans are reaped by the init: a zombie would show as Z in ps.
            c.exec("sh", "-c", "sleep 0.1 & exit 0");
            c.exec("sleep", "0.3");
            assertThat(Arrays.stream(c.exec("ps", "-o", "stat").stdout().split("\n"))).noneMatch(s -> s.startsWith("Z"));
        }
    }
}
