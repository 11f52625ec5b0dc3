package dev.containerized.reliability;

import dev.containerized.container.Leaks;
import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.cgroup.ContainerCgroup;
import dev.containerized.container.host.FaultInjection;
import dev.containerized.container.host.FaultInjection.Phase;
import dev.containerized.container.host.StateDirectory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A test JVM killed with SIGKILL at each phase of a container's start and close (stopped there by
 * -Dcontainerized.fault.stopAt): its container's processes die with it, and what it could not remove
 * (a state directory nobody holds locked, empty cgroups) is removed when the next JVM starts its first
 * container — nothing of it is left, and nothing is killed by that sweep.
 */
class KilledAtEveryPhaseTests {
    private static final Duration STOP = Duration.ofSeconds(60);

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    /** What a JVM killed at a phase leaves until the sweep, and what the test learnt of it. */
    private record Killed(Phase phase, String token, List<Path> stateDirectories, List<Path> cgroups) {
    }

    @Test
    void aJvmKilledAtAnyPhaseLeavesNothingOnceTheNextContainerStarts(@TempDir Path base) throws Exception {
        Map<Phase, ChildJvm> jvms = new EnumMap<>(Phase.class);
        Map<Phase, Killed> killed = new EnumMap<>(Phase.class);
        try {
            // All at once: nine JVM starts overlap on two cores, which is also the CI's situation.
            // Each in a state directory of its own: the first start of one JVM would sweep what another,
            // killed a moment before, left in a shared one — right, but then there is nothing to check.
            for (Phase phase : Phase.values()) {
                jvms.put(phase, ChildJvm.of("fault").quickStart().property(FaultInjection.PROPERTY, phase.propertyValue())
                        .property(StateDirectory.BASE_PROPERTY, base.resolve(phase.propertyValue())).start());
            }
            for (Phase phase : Phase.values()) {
                killed.put(phase, killAtItsPhase(phase, jvms.get(phase), base.resolve(phase.propertyValue())));
            }
        } finally {
            jvms.values().forEach(ChildJvm::close);
        }
        Tally.faults(killed.size());
        Tally.containers(killed.size());
        for (Killed k : killed.values()) {
            // A minute later, as far as the sweep can tell: it removes only cgroups older than that.
            Debris.age(k.token());
        }

        // The next container: a fresh JVM's first start, on each state directory.
        List<ChildJvm> next = new java.util.ArrayList<>();
        try {
            for (Phase phase : Phase.values()) {
                next.add(ChildJvm.of("sweep").quickStart().property(StateDirectory.BASE_PROPERTY, base.resolve(phase.propertyValue())).start());
            }
            for (ChildJvm jvm : next) {
                assertThat(jvm.awaitExit(Duration.ofSeconds(60))).as(jvm.output()).isZero();
            }
        } finally {
            next.forEach(ChildJvm::close);
        }
        Tally.containers(next.size());
        // What each killed JVM had left, as seen right after its death: the phase it stopped at shows.
        int hierarchies = ContainerCgroup.parents(CgroupLayout.detect()).size();
        for (Killed k : killed.values()) {
            if (k.phase() == Phase.CLOSE_CGROUP_REMOVED) {
                // Deleted beside the cgroup's removal, on the caller's thread: it may be gone by the kill.
                assertThat(k.stateDirectories()).as("the state directory left at " + k.phase()).hasSizeLessThanOrEqualTo(1);
            } else {
                assertThat(k.stateDirectories()).as("the state directory left at " + k.phase()).hasSize(1);
            }
            if (k.phase() == Phase.UNSHARE) {
                // The starting thread makes the cgroup while the container's thread stops here: the kill
                // may come before, amid or after its hierarchies' mkdirs.
                assertThat(k.cgroups()).as("the cgroups left at " + k.phase()).hasSizeLessThanOrEqualTo(hierarchies);
                continue;
            }
            boolean cgroupExists = k.phase() != Phase.STATE_DIRECTORY && k.phase() != Phase.CLOSE_CGROUP_REMOVED;
            assertThat(k.cgroups()).as("the cgroups left at " + k.phase()).hasSize(cgroupExists ? hierarchies : 0);
        }
        for (Killed k : killed.values()) {
            assertThat(Debris.of(k.token(), base.resolve(k.phase().propertyValue()))).as("left by the JVM killed at " + k.phase()).isEmpty();
        }
    }

    /** Waits for the JVM to stop at {@code phase}, kills it, and waits for its container's processes to end. */
    private static Killed killAtItsPhase(Phase phase, ChildJvm jvm, Path base) throws Exception {
        String token = jvm.awaitLineStartingWith("TOKEN ", STOP).substring("TOKEN ".length());
        String stopped = jvm.awaitLineStartingWith(FaultInjection.STOPPED + phase.propertyValue() + " ", STOP);
        assertThat(stopped).contains(token);
        List<ProcessHandle> descendants = jvm.descendants();
        jvm.sigkill();
        // PID 1 dies with the JVM's thread (PR_SET_PDEATHSIG, and its control socket's end), and every
        // process of its pid namespace with it.
        for (ProcessHandle p : descendants) {
            assertThat(p.onExit().get(10, TimeUnit.SECONDS).isAlive()).as("process " + p.pid() + " of the killed JVM").isFalse();
        }
        Debris.awaitEmptyCgroups(token, Duration.ofSeconds(10));
        return new Killed(phase, token, Debris.stateDirectories(token, base), Debris.cgroups(token));
    }
}
