package dev.containerized.container;

import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.cgroup.ContainerCgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What containers can leave behind on the host: state directories, cgroups, mounts and init processes.
 * Integration tests assert after each test that there is none of it.
 */
public final class Leaks {
    private Leaks() {
    }

    /** Everything of ours still on the host, one line each; empty when clean. */
    public static List<String> find() {
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
        ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(args -> List.of(args).contains(
                        "dev.containerized.container.init.ContainerInit")).orElse(false))
                .filter(p -> p.info().arguments().map(args -> args[args.length - 1].startsWith(base.toString())).orElse(false))
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
