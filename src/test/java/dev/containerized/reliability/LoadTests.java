package dev.containerized.reliability;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.ExecResult;
import dev.containerized.container.Leaks;
import dev.containerized.container.host.ContainerIds;
import dev.containerized.container.host.StateDirectory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Load: 500 containers in sequence in this JVM, and 8 JVMs × 50 containers at once, each starting,
 * running a command that forks and writes (to the tmpfs /tmp and the overlay's upper layer) and
 * closing. Every result is checked, nothing is left, and this JVM's memory stays flat after the first
 * 50 containers (see {@link #FLAT}).
 */
class LoadTests {
    private static final ContainerSpec SPEC = ContainerSpec.builder().pidsLimit(64).build();
    private static final int SEQUENCE = 500;
    private static final int WARM_UP = 50;

    /**
     * "Flat": from container 50 to container 500, heap in use after full collections grows by less than
     * 2 MiB, resident memory by less than 24 MiB, and descriptors, sockets and threads not at all. The
     * JVM's heap is fixed and touched at start (-Xms = -Xmx, AlwaysPreTouch), so its RSS moves only with
     * what is not heap; RSS is compared as the median of the last three snapshots against the first three.
     * Heap after GC is what the JVM really holds on to: a leak of one 4 KiB object per container
     * would add 1.8 MiB over those 450, so 2 MiB catches anything a container keeps beyond a few bytes
     * while leaving room for JIT-era allocations (class data, interned strings) that settle early.
     * Resident memory moves with things a leak is not — the JIT's code cache, malloc arenas of the
     * threads each container starts and ends, the collector resizing the heap — by a few MiB either
     * way; 24 MiB is 54 KiB per container, far below the cost of leaking what a container really
     * holds (its threads' stacks, 768 KiB; its descriptors; its overlay), which the descriptor and
     * thread counts catch exactly. Measured on this 2-core machine: heap -0.3 to +0.4 MiB, RSS +4 to
     * +11 MiB (a step of a few MiB around container 350 that stays: the JIT's code and malloc's arenas).
     */
    static final long FLAT_HEAP_BYTES = 2L << 20;
    static final long FLAT_RSS_KIB = 24 << 10;
    static final String FLAT = "flat";

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void fiveHundredContainersInSequenceLeaveNothingAndMemoryStaysFlat() {
        List<long[]> snapshots = new ArrayList<>();
        List<String> newDescriptors;
        String result;
        try (ChildJvm jvm = ChildJvm.of("sequence", Integer.toString(SEQUENCE), Integer.toString(WARM_UP)).fixedHeap("64m").start()) {
            assertThat(jvm.awaitExit(Duration.ofMinutes(10))).as(jvm.output()).isZero();
            result = jvm.awaitLineStartingWith("SEQUENCE ", Duration.ZERO);
            assertThat(result).as(jvm.output()).startsWith("SEQUENCE passed=" + SEQUENCE + " of=" + SEQUENCE);
            assertThat(jvm.awaitLineStartingWith("LEAKS ", Duration.ZERO)).isEqualTo("LEAKS 0");
            assertThat(Debris.of(SweepSafetyTests.token(jvm), StateDirectory.base())).isEmpty();
            List<String> fds = jvm.lines().stream().filter(l -> l.startsWith("FDS ")).toList();
            newDescriptors = fds.isEmpty() ? List.of() : newTargets(fds.get(0), fds.get(fds.size() - 1));
            jvm.lines().stream().filter(l -> l.startsWith("MEM ")).map(l -> l.substring(4).split(" "))
                    .map(f -> Arrays.stream(f).mapToLong(Long::parseLong).toArray()).forEach(snapshots::add);
        }
        Tally.containers(SEQUENCE);
        StringBuilder report = new StringBuilder("LoadTests: " + result + "; after every " + WARM_UP + " (heap after GC, RSS, fds, sockets, threads):");
        for (long[] m : snapshots) {
            report.append(String.format(Locale.ROOT, "%n  %3d: %.2f MiB, %.1f MiB, %d, %d, %d", m[0], m[1] / 1048576.0, m[2] / 1024.0, m[3], m[4], m[5]));
        }
        System.out.println(report);
        assertThat(snapshots).hasSize(SEQUENCE / WARM_UP);
        long[] warm = snapshots.get(0);
        long[] last = snapshots.get(snapshots.size() - 1);
        assertThat(last[1] - warm[1]).as("heap growth after GC, containers 50 to 500\n" + report).isLessThan(FLAT_HEAP_BYTES);
        assertThat(median(snapshots.subList(snapshots.size() - 3, snapshots.size())) - median(snapshots.subList(0, 3)))
                .as("RSS growth in KiB, the median of the last three against that of the first three\n" + report).isLessThan(FLAT_RSS_KIB);
        // Never more than after the first 50 (one fewer is fine: something of the JVM's own closed meanwhile).
        assertThat(last[3]).as("descriptors\n" + report + "\nnew since container " + WARM_UP + ": " + newDescriptors)
                .isLessThanOrEqualTo(warm[3]);
        assertThat(last[4]).as("sockets (listeners included)\n" + report).isLessThanOrEqualTo(warm[4]);
        assertThat(last[5]).as("threads\n" + report).isLessThanOrEqualTo(warm[5]);
    }

    /** What the descriptors of the later FDS line refer to that those of the earlier did not (a multiset difference). */
    private static List<String> newTargets(String earlier, String later) {
        List<String> added = new ArrayList<>(Arrays.asList(later.split(" ")).subList(2, later.split(" ").length));
        for (String target : Arrays.asList(earlier.split(" ")).subList(2, earlier.split(" ").length)) {
            added.remove(target);
        }
        return added;
    }

    private static long median(List<long[]> snapshots) {
        return snapshots.stream().mapToLong(m -> m[2]).sorted().toArray()[snapshots.size() / 2];
    }

    @Test
    void eightJvmsOfFiftyContainersEachAtOnceLeaveNothing() {
        List<ChildJvm> jvms = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < 8; i++) {
                jvms.add(ChildJvm.of("load", "50").quickStart().start());
            }
            for (ChildJvm jvm : jvms) {
                assertThat(jvm.awaitExit(Duration.ofMinutes(5))).as(jvm.output()).isZero();
                assertThat(jvm.awaitLineStartingWith("LOAD ", Duration.ZERO)).as(jvm.output()).startsWith("LOAD passed=50 of=50");
                assertThat(jvm.awaitLineStartingWith("LEAKS ", Duration.ZERO)).isEqualTo("LEAKS 0");
                String token = SweepSafetyTests.token(jvm);
                assertThat(Debris.of(token, StateDirectory.base())).as("left by " + jvm).isEmpty();
            }
        } finally {
            jvms.forEach(ChildJvm::close);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        Tally.containers(8 * 50);
        System.out.println("LoadTests: 8 JVMs x 50 containers at once in " + ms + " ms (JVM starts included); "
                + jvms.stream().map(j -> j.awaitLineStartingWith("LOAD ", Duration.ZERO).replaceAll(".*ms=", "")).toList() + " ms each");
    }
}
