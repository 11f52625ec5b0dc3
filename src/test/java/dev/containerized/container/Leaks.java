package dev.containerized.container;

import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.cgroup.ContainerCgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What containers can leave behind on the host: state directories, cgroups, mounts and init processes.
 * Integration tests assert after each test that there is none of it.
 */
public final class Leaks {
    private Leaks() {
    }

    /**
     * Everything of ours still on the host, one line each; empty when clean. What is found is looked
     * for again for up to a second: a prestarted init is briefly unknown to the pool between its spawn
     * and its registration. A real leak stays.
     */
    public static List<String> find() {
        List<String> leaks = findOnce();
        for (int i = 0; i < 5 && !leaks.isEmpty(); i++) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            leaks = findOnce();
        }
        return leaks;
    }

    private static List<String> findOnce() {
        List<String> leaks = new ArrayList<>();
        Path base = StateDirectory.base();
        leaks.addAll(list(base).stream().map(p -> "state directory " + p).toList());
        for (Path parent : ContainerCgroup.parents(CgroupLayout.detect())) {
            list(parent).stream().filter(Files::isDirectory).map(p -> "cgroup " + p).forEach(leaks::add);
        }
        try {
            Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .filter(line -> line.contains(base.toString())).map(line -> "mount " + line).forEach(leaks::add);
        } catch (IOException e) {
            leaks.add("cannot read /proc/self/mountinfo: " + e);
        }
        // Inits this JVM started, but for the prestarted one that waits to be taken.
        Optional<Long> idle = InitPool.idlePid();
        ProcessHandle.current().children()
                .filter(p -> p.info().arguments().map(args -> List.of(args).contains(
                        "dev.containerized.container.init.ContainerInit")).orElse(false))
                .filter(p -> idle.isEmpty() || p.pid() != idle.get())
                .map(p -> "init process " + p.pid() + " " + p.info().commandLine().orElse(""))
                .forEach(leaks::add);
        return leaks;
    }

    private static List<Path> list(Path dir) {
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
