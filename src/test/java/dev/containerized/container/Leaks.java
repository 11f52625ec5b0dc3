package dev.containerized.container;

import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.cgroup.ContainerCgroup;
import dev.containerized.container.host.ContainerIds;
import dev.containerized.container.host.StateDirectory;
import dev.containerized.junit.internal.EarlyPreparation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What this JVM's containers can leave behind on the host: state directories, cgroups, mounts, PID 1
 * processes and threads. Only this JVM's are looked at (their ids start with its token), so that other
 * test runs on the same host neither trip the check nor hide behind it.
 */
public final class Leaks {
    private Leaks() {
    }

    /** Everything of this JVM's containers still on the host, one line each; empty when clean. */
    public static List<String> find() {
        awaitThrowawayContainer();
        List<String> leaks = findOnce();
        // A teardown that another thread runs may still be finishing: a real leak stays.
        for (int i = 0; i < 10 && !leaks.isEmpty(); i++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            leaks = findOnce();
        }
        return leaks;
    }

    /** As {@link #find}, but as things are at this moment: for a check that a call returned only once all was gone. */
    public static List<String> findNow() {
        awaitThrowawayContainer();
        return findOnce();
    }

    /** The JUnit run's early preparation starts and closes a container of its own: not a leak of a test. */
    private static void awaitThrowawayContainer() {
        try {
            if (!EarlyPreparation.awaitFinished(Duration.ofSeconds(30))) {
                throw new IllegalStateException("the early preparation's container did not finish in 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<String> findOnce() {
        String ours = ContainerIds.thisJvm();
        List<String> leaks = new ArrayList<>();
        Path base = StateDirectory.base();
        list(base).stream().filter(p -> p.getFileName().toString().startsWith(ours)).map(p -> "state directory " + p)
                .forEach(leaks::add);
        for (Path parent : ContainerCgroup.parents(CgroupLayout.detect())) {
            list(parent).stream().filter(p -> p.getFileName().toString().startsWith(ours)).map(p -> "cgroup " + p)
                    .forEach(leaks::add);
        }
        try {
            Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .filter(line -> line.contains(base + "/" + ours)).map(line -> "mount " + line).forEach(leaks::add);
        } catch (IOException e) {
            leaks.add("cannot read /proc/self/mountinfo: " + e);
        }
        ProcessHandle.current().children()
                .filter(p -> p.info().command().map(c -> c.contains("containerized-init")).orElse(false)
                        || p.info().commandLine().map(c -> c.contains("containerized-init")).orElse(false))
                .map(p -> "PID 1 process " + p.pid() + " in " + cgroupOf(p.pid()))
                .forEach(leaks::add);
        leaks.addAll(descriptorsIntoContainers());
        Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("containerized-" + ours) || t.getName().startsWith("containerized-io-" + ours))
                .map(t -> "thread " + t.getName())
                .forEach(leaks::add);
        return leaks;
    }

    /**
     * Descriptors of this JVM that hold a container: a pidfd of a PID 1, or a directory whose path reads
     * "/" from here (the root of another mount namespace: a container's, kept alive by the descriptor).
     */
    private static List<String> descriptorsIntoContainers() {
        List<String> held = new ArrayList<>();
        for (Path fd : list(Path.of("/proc/self/fd"))) {
            try {
                String target = Files.readSymbolicLink(fd).toString();
                if (target.equals("anon_inode:[pidfd]") || target.equals("/")) {
                    held.add("descriptor " + fd.getFileName() + " -> " + target);
                }
            } catch (IOException gone) {
                // Closed while we looked: the directory stream's own descriptor, for one.
            }
        }
        return held;
    }

    /** A process's cgroups, which name its container. */
    private static String cgroupOf(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cgroup")).strip().replace('\n', ' ');
        } catch (IOException gone) {
            return "(gone)";
        }
    }

    /** The entries of {@code dir}; none when it is missing or cannot be read (a sweep may be removing it). */
    public static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
