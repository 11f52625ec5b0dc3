package dev.containerized.reliability;

import dev.containerized.container.Leaks;
import dev.containerized.container.host.StateDirectory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Never touch what is not ours. Two test runs on one host with DIFFERENT state directories (as two CI
 * containers with their own /run, sharing the host's cgroup tree) run containers at the same time and
 * sweep again and again, as every JVM's first container start does; the other run's containers — also
 * ones whose cgroups look older than the sweep's minute — keep running and their commands end normally.
 * A third run, killed with SIGKILL while its container ran a command, is cleaned up by their sweeps:
 * its state directory by the run that shares its state directory, its cgroups by either, once empty.
 */
class SweepSafetyTests {
    private static final Duration BUSY = Duration.ofSeconds(8);

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void runsWithTheirOwnStateDirectoriesSweepWithoutHarmingEachOtherAndRemoveWhatAKilledRunLeft(@TempDir Path dir)
            throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        try (ChildJvm runA = busy(a); ChildJvm runB = busy(b);
             ChildJvm killed = ChildJvm.of("hold").quickStart().property(StateDirectory.BASE_PROPERTY, a).start()) {
            String tokenA = token(runA);
            String tokenB = token(runB);
            String tokenKilled = token(killed);
            killed.awaitLineStartingWith("STARTED ", Duration.ofSeconds(60));
            runA.awaitLineStartingWith("LIVE ", Duration.ofSeconds(60));
            runB.awaitLineStartingWith("LIVE ", Duration.ofSeconds(60));

            List<ProcessHandle> orphans = killed.descendants();
            killed.sigkill();
            for (ProcessHandle p : orphans) {
                assertThat(p.onExit().get(10, TimeUnit.SECONDS).isAlive()).as("process " + p.pid() + " of the killed run").isFalse();
            }
            Debris.awaitEmptyCgroups(tokenKilled, Duration.ofSeconds(10));

            // While both runs sweep: their live cgroups look two minutes old (long-running containers), and
            // so do the killed run's empty ones (a minute after it died). Only the latter may go.
            long deadline = System.nanoTime() + BUSY.toNanos() - Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < deadline) {
                Debris.ageLiveOnes(tokenA);
                Debris.ageLiveOnes(tokenB);
                Debris.age(tokenKilled);
                Debris.sleep(100);
            }
            assertThat(Debris.of(tokenKilled, a)).as("what the killed run left, after the others' sweeps").isEmpty();

            for (ChildJvm run : List.of(runA, runB)) {
                assertThat(run.awaitExit(Duration.ofSeconds(60))).as(run.output()).isZero();
                String busy = run.awaitLineStartingWith("BUSY ", Duration.ZERO);
                assertThat(run.lines()).as(run.output()).noneMatch(l -> l.startsWith("FAILED"));
                System.out.println("SweepSafetyTests: " + run + " " + busy);
                Tally.containers(Long.parseLong(busy.replaceAll(".*passed=(\\d+).*", "$1")) + 1);
            }
            Tally.containers(1);
            Tally.faults(1);
            assertThat(Debris.of(tokenA, a)).isEmpty();
            assertThat(Debris.of(tokenB, b)).isEmpty();
        }
    }

    /**
     * Runs sharing one state directory (the default /run/containerized of one host) start containers
     * while other JVMs sweep it without a pause: a directory whose owner is alive — also one being made
     * that very moment — is never taken for a dead run's.
     */
    @Test
    void runsSharingAStateDirectoryStartContainersWhileOthersSweepItWithoutPause(@TempDir Path base) {
        List<ChildJvm> jvms = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                jvms.add(busy(base));
                jvms.add(ChildJvm.of("sweep-loop", Long.toString(BUSY.toMillis())).quickStart()
                        .property(StateDirectory.BASE_PROPERTY, base).start());
            }
            for (ChildJvm jvm : jvms) {
                assertThat(jvm.awaitExit(Duration.ofSeconds(90))).as(jvm.output()).isZero();
                assertThat(jvm.lines()).as(jvm.output()).noneMatch(l -> l.startsWith("FAILED"));
                System.out.println("SweepSafetyTests: " + jvm + " " + jvm.lines().stream()
                        .filter(l -> l.startsWith("BUSY") || l.startsWith("SWEEP-LOOP")).findFirst().orElse(""));
            }
        } finally {
            jvms.forEach(ChildJvm::close);
        }
        Tally.containers(jvms.stream().flatMap(j -> j.lines().stream()).filter(l -> l.startsWith("BUSY "))
                .mapToLong(l -> Long.parseLong(l.replaceAll(".*passed=(\\d+).*", "$1")) + 1).sum());
    }

    /**
     * Eight JVMs start at once on one state directory holding dead runs' directories, so that their
     * first-start sweeps remove the same directories at the same time: each start succeeds, all go.
     */
    @Test
    void jvmsSweepingTheSameDeadDirectoriesAtOnceAllStart(@TempDir Path base) throws Exception {
        for (int i = 0; i < 40; i++) {
            deadRunDirectory(base.resolve("deadbeef0" + (i % 4) + "-" + i), 200);
        }
        List<ChildJvm> jvms = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                jvms.add(ChildJvm.of("sweep").quickStart().property(StateDirectory.BASE_PROPERTY, base).start());
            }
            for (ChildJvm jvm : jvms) {
                assertThat(jvm.awaitExit(Duration.ofSeconds(120))).as(jvm.output()).isZero();
                assertThat(jvm.lines()).as(jvm.output()).noneMatch(l -> l.contains("WARNING") || l.contains("could not remove"));
            }
        } finally {
            jvms.forEach(ChildJvm::close);
        }
        try (java.util.stream.Stream<Path> left = Files.list(base)) {
            assertThat(left.toList()).isEmpty();
        }
        Tally.containers(8);
    }

    /** A dead run's directory the sweep cannot remove is a warning that names it, not a container that fails to start. */
    @Test
    void whatTheSweepCannotRemoveIsAWarningNotAFailedStart(@TempDir Path base) throws Exception {
        Path dead = deadRunDirectory(base.resolve("deadbeef99-1"), 1);
        Path stuck = dead.resolve("upper/f0");
        Process chattr = new ProcessBuilder("chattr", "+i", stuck.toString()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String said;
        try (java.io.InputStream out = chattr.getInputStream()) {
            said = new String(out.readAllBytes());
        }
        // Immutable: not even root may unlink it. Some filesystems (a CI container's overlay) have no such flag.
        org.junit.jupiter.api.Assumptions.assumeTrue(chattr.waitFor() == 0, "chattr +i works on " + base + ": " + said);
        try (ChildJvm jvm = ChildJvm.of("sweep").quickStart().property(StateDirectory.BASE_PROPERTY, base).start()) {
            assertThat(jvm.awaitExit(Duration.ofSeconds(60))).as(jvm.output()).isZero();
            assertThat(jvm.output()).contains("SWEPT").contains("could not remove all that dead runs left").contains(dead.toString())
                    .contains("\"" + stuck.getFileName() + "\"");
        } finally {
            shell("chattr -i " + stuck);
        }
        Tally.containers(1);
        Tally.faults(1);
    }

    /** What a JVM killed mid-run leaves in its state directory: an unlocked lock file and an upper layer. */
    private static Path deadRunDirectory(Path dir, int files) throws Exception {
        Files.createDirectories(dir.resolve("upper"));
        Files.createDirectories(dir.resolve("work/work"));
        Files.writeString(dir.resolve("lock"), "");
        for (int i = 0; i < files; i++) {
            Files.writeString(dir.resolve("upper/f" + i), "x");
        }
        return dir;
    }

    private static void shell(String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out;
        try (java.io.InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes());
        }
        assertThat(p.waitFor()).as(script + ": " + out).isZero();
    }

    private static ChildJvm busy(Path stateBase) {
        return ChildJvm.of("busy", Long.toString(BUSY.toMillis())).quickStart().property(StateDirectory.BASE_PROPERTY, stateBase).start();
    }

    static String token(ChildJvm jvm) {
        return jvm.awaitLineStartingWith("TOKEN ", Duration.ofSeconds(60)).substring("TOKEN ".length());
    }
}
