package dev.containerized.container;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** "Command as PID 1", docker run's semantics. */
class Pid1RunTests {
    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void theCommandIsPid1() {
        ExecResult r = Container.run(ContainerSpec.builder().build(), "sh", "-c", "echo $$");
        assertThat(r.succeeded()).as(r.describe()).isTrue();
        assertThat(r.stdout()).isEqualTo("1\n");
    }

    @Test
    void psSeesOnlyTheCommandAndItsChildren() {
        // "; true" keeps sh from exec'ing ps in its own place.
        String script = "sleep 5 & sleep 0.3; ps -o pid,args; true";
        ExecResult r = Container.run(ContainerSpec.builder().build(), "sh", "-c", script);
        java.util.List<String> lines = r.stdout().strip().lines().skip(1).map(String::strip).toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("1 sh -c " + script);
        assertThat(lines.get(1)).endsWith(" sleep 5");
        assertThat(lines.get(2)).matches("\\d+ (\\{ps\\} sh -c .*|ps -o pid,args)"); // busybox may run ps as a forked applet
    }

    /**
     * As PID 1 the command that cannot start ends the container at once: what is missing is told all the
     * same, from the root held since the start (not looked up by a pid that is gone by then).
     */
    @Test
    void aScriptWhoseInterpreterIsMissingSaysSoAsPid1Too(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // In the image: a mount of its own would be gone with PID 1's mount namespace by the time of the look.
        java.nio.file.Path rootfs = dir.resolve("rootfs");
        assertThat(new ProcessBuilder("cp", "-a", dev.containerized.rootfs.DefaultRootfs.path().toString(), rootfs.toString())
                .start().waitFor()).isZero();
        java.nio.file.Path script = java.nio.file.Files.writeString(rootfs.resolve("s"), "#!/nope-interpreter\n");
        java.nio.file.Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        ContainerSpec spec = ContainerSpec.builder().rootfs(rootfs).build();
        for (int i = 0; i < 5; i++) {
            ExecResult r = Container.run(spec, "/s");
            assertThat(r.exitCode()).isEqualTo(127);
            assertThat(r.stderr()).as("run " + i).contains("\"/s\": it is there, but its interpreter \"/nope-interpreter\" (its #! line)");
        }
    }

    @Test
    void exitStatusStreamsAndHostname() {
        ExecResult r = Container.run(ContainerSpec.builder().hostname("pid1-box").build(),
                "sh", "-c", "hostname; echo oops >&2; exit 42");
        assertThat(r.exitCode()).isEqualTo(42);
        assertThat(r.stdout()).isEqualTo("pid1-box\n");
        assertThat(r.stderr()).isEqualTo("oops\n");
    }

    @Test
    void stdinIsAtEndOfFileWhetherTheInitWasPrestartedOrNot() throws Exception {
        // The first run after a pause takes the prestarted init; one right after it may start cold.
        for (int i = 0; i < 3; i++) {
            Thread.sleep(i == 0 ? 0 : 400);
            ExecResult r = Container.run(ContainerSpec.builder().execTimeout(Duration.ofSeconds(30)).build(),
                    "sh", "-c", "cat; echo done");
            assertThat(r.stdout()).as(r.describe()).isEqualTo("done\n");
        }
    }

    @Test
    void aMissingCommandExits127() {
        ExecResult r = Container.run(ContainerSpec.builder().build(), "no-such-program");
        assertThat(r.exitCode()).isEqualTo(127);
        assertThat(r.stderr()).contains("\"no-such-program\": executable file not found in $PATH");
    }

    @Test
    void theCommandIsInsideTheLimitsFromItsFirstInstruction() {
        ExecResult r = Container.run(ContainerSpec.builder().pidsLimit(5).build(),
                "sh", "-c", "cat /proc/self/cgroup; for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait");
        // Its cgroup namespace is rooted at its own cgroup, which it was in before it unshared.
        assertThat(r.stdout().lines().filter(l -> l.contains(":pids:") || l.contains(":memory:") || l.startsWith("0::")))
                .isNotEmpty().allSatisfy(l -> assertThat(l).endsWith(":/"));
        assertThat(r.stderr()).contains("can't fork");
    }

    @Test
    void aMemoryHogAsPid1IsReportedOomKilled() {
        ExecResult r = Container.run(ContainerSpec.builder().memoryLimit("64m").build(),
                "bash", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' x); echo ${#x}");
        assertThat(r.oomKilled()).as(r.describe()).isTrue();
        assertThat(r.exitCode()).isEqualTo(137);
    }

    @Test
    void aCommandPastTheExecTimeoutIsKilled() {
        ExecResult r = Container.run(ContainerSpec.builder().execTimeout(Duration.ofMillis(500)).build(), "sleep", "30");
        assertThat(r.timedOut()).isTrue();
        assertThat(r.duration()).isLessThan(Duration.ofSeconds(20));
    }
}
