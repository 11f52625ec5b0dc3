package dev.containerized.container;

import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.cgroup.ContainerCgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A container's directory on the host, {@code <base>/<id>}: the init's config, its setup error, the
 * overlay's upper (the container's diff), work and merged directories, and an {@code owner} file naming
 * the test JVM, so that the state of a crashed run can be told from a live one and swept.
 */
final class StateDirectory {
    static final String BASE_PROPERTY = "containerized.stateDir";
    private static final String OWNER = "owner";

    private final Path dir;

    private StateDirectory(Path dir) {
        this.dir = dir;
    }

    static Path base() {
        return Path.of(System.getProperty(BASE_PROPERTY, "/run/containerized"));
    }

    static StateDirectory create(String id) {
        Path base = base();
        try {
            if (!Files.isDirectory(base)) {
                Files.createDirectories(base);
                Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx------"));
            }
            Path dir = Files.createDirectory(base.resolve(id));
            ProcessHandle self = ProcessHandle.current();
            Files.writeString(dir.resolve(OWNER), self.pid() + " " + self.info().startInstant().map(Instant::toEpochMilli).orElse(0L));
            return new StateDirectory(dir);
        } catch (IOException e) {
            throw new ContainerException("cannot create the container's state directory under " + base + ": " + e
                    + " (set -D" + BASE_PROPERTY + "=DIR to use another place)", e);
        }
    }

    Path path() {
        return dir;
    }

    Optional<String> setupError() {
        try {
            String error = Files.readString(dir.resolve("error")).strip();
            return error.isEmpty() ? Optional.empty() : Optional.of(error);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    void delete() {
        deleteTree(dir);
    }

    /**
     * Removes what crashed runs left behind: state directories whose owner JVM is gone, their cgroups,
     * and cgroups of ours that have no state directory at all. Live containers of other JVMs are kept.
     */
    static void sweepStale(CgroupLayout layout) {
        Path base = base();
        if (Files.isDirectory(base)) {
            try (Stream<Path> dirs = Files.list(base)) {
                for (Path dir : dirs.toList()) {
                    if (!ownerAlive(dir)) {
                        ContainerCgroup.sweep(layout, dir.getFileName().toString());
                        deleteTree(dir);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot sweep " + base, e);
            }
        }
        for (Path parent : ContainerCgroup.parents(layout)) {
            if (!Files.isDirectory(parent)) {
                continue;
            }
            try (Stream<Path> cgroups = Files.list(parent)) {
                for (Path cgroup : cgroups.filter(Files::isDirectory).toList()) {
                    if (!Files.exists(base.resolve(cgroup.getFileName()))) {
                        ContainerCgroup.sweep(layout, cgroup.getFileName().toString());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot sweep " + parent, e);
            }
        }
    }

    private static boolean ownerAlive(Path dir) {
        try {
            String[] owner = Files.readString(dir.resolve(OWNER)).trim().split(" ");
            long pid = Long.parseLong(owner[0]);
            long started = Long.parseLong(owner[1]);
            return ProcessHandle.of(pid)
                    .flatMap(h -> h.info().startInstant())
                    .map(i -> i.toEpochMilli() == started)
                    .orElse(false);
        } catch (NoSuchFileException e) {
            // Being created right now by another JVM, or a run that died before writing it: keep young ones.
            try {
                return Files.getLastModifiedTime(dir).toInstant().isAfter(Instant.now().minusSeconds(60));
            } catch (IOException gone) {
                return false;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root + ": " + e, e);
        }
    }
}
