package dev.containerized.reliability;

import dev.containerized.container.Leaks;
import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.cgroup.ContainerCgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the containers of one run (one JVM, known by its id token) left on the host: state directories
 * in a base, cgroups of ours with their processes, processes still in them, and mounts in this JVM's
 * mount namespace (the host's). Unlike {@link Leaks}, it looks at another
 * JVM's containers, typically one that was killed.
 */
public final class Debris {
    private Debris() {
    }

    /** One line per thing left; empty when nothing is. */
    public static List<String> of(String token, Path stateBase) {
        List<String> left = new ArrayList<>();
        stateDirectories(token, stateBase).forEach(p -> left.add("state directory " + p));
        for (Path cgroup : cgroups(token)) {
            List<String> procs = processes(cgroup);
            left.add("cgroup " + cgroup + (procs.isEmpty() ? "" : " holding processes " + procs));
        }
        try {
            Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(token))
                    .forEach(l -> left.add("mount " + l));
        } catch (IOException e) {
            left.add("cannot read /proc/self/mountinfo: " + e);
        }
        return left;
    }

    /** Waits up to {@code timeout} for {@link #of} to be empty, and returns what is left then. */
    static List<String> awaitNone(String token, Path stateBase, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> left = of(token, stateBase);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            sleep(50);
            left = of(token, stateBase);
        }
        return left;
    }

    static List<Path> stateDirectories(String token, Path stateBase) {
        return Leaks.list(stateBase).stream().filter(p -> p.getFileName().toString().startsWith(token)).toList();
    }

    /** The run's cgroups, in every hierarchy we use. */
    static List<Path> cgroups(String token) {
        List<Path> found = new ArrayList<>();
        for (Path parent : ContainerCgroup.parents(CgroupLayout.detect())) {
            Leaks.list(parent).stream().filter(p -> p.getFileName().toString().startsWith(token)).forEach(found::add);
        }
        return found;
    }

    static List<String> processes(Path cgroup) {
        try {
            return Files.readAllLines(cgroup.resolve("cgroup.procs")).stream().filter(s -> !s.isBlank()).toList();
        } catch (IOException gone) {
            return List.of();
        }
    }

    /** Waits until every cgroup of the run is empty: the kernel takes a moment to end a killed pid namespace. */
    public static void awaitEmptyCgroups(String token, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (cgroups(token).stream().anyMatch(c -> !processes(c).isEmpty())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("processes still in the cgroups of " + token + " after " + timeout + ": "
                        + cgroups(token).stream().map(c -> c + " " + processes(c)).toList());
            }
            sleep(20);
        }
    }

    /**
     * Makes the run's EMPTY cgroups look two minutes old, as they would be a minute after the run died:
     * the sweep removes only empty cgroups older than a minute (a younger empty one may be a container
     * being started), and a test should not wait a minute. A cgroup with a process in it is left as it is.
     */
    public static int age(String token) {
        int aged = 0;
        for (Path cgroup : cgroups(token)) {
            if (processes(cgroup).isEmpty() && setAge(cgroup, Duration.ofMinutes(2))) {
                aged++;
            }
        }
        return aged;
    }

    /**
     * Makes the run's cgroups that HOLD processes look two minutes old: live containers of long-running
     * tests, which a sweep must leave alone however old they are.
     */
    static int ageLiveOnes(String token) {
        int aged = 0;
        for (Path cgroup : cgroups(token)) {
            if (!processes(cgroup).isEmpty() && setAge(cgroup, Duration.ofMinutes(2))) {
                aged++;
            }
        }
        return aged;
    }

    private static boolean setAge(Path cgroup, Duration age) {
        try {
            Files.setLastModifiedTime(cgroup, FileTime.from(Instant.now().minus(age)));
            return true;
        } catch (IOException gone) {
            return false;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
