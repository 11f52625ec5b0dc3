package dev.containerized.container.host;

import dev.containerized.container.ContainerException;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.linux.Mounts;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLockInterruptionException;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A container's directory on the host, {@code <base>/<id>}: a {@code lock} file its owner holds locked
 * for as long as the container lives and, with the writable layer on the state directory's filesystem
 * ({@link WritableLayer#STATE_DIRECTORY}), the overlay's upper (the container's diff), work and lower
 * links. In memory, those are on a tmpfs mounted over this directory in the container's mount namespace
 * alone. The lock is the proof of life: the kernel releases it when the owning JVM ends,
 * however it ends, and it works across pid namespaces and CI containers that share the directory,
 * where a pid would not.
 */
public final class StateDirectory {
    public static final String BASE_PROPERTY = "containerized.stateDir";
    private static final String LOCK = "lock";
    /**
     * With less room than this, the state directory's filesystem counts as full for a container whose
     * writable layer goes there ({@link WritableLayer#STATE_DIRECTORY}): it would start, but its first
     * write would fail with ENOSPC. In memory, only the directory and its empty lock go there, and a
     * filesystem without room for those fails their mkdir or create, with the errno.
     */
    private static final long MIN_FREE_BYTES = 1 << 20;
    private static final long MIN_FREE_INODES = 64;
    /** A directory younger than this may be being made by another JVM, which has not locked it yet. */
    private static final Duration YOUNG = Duration.ofSeconds(60);
    /**
     * The directories this JVM holds locked. The sweep never opens their lock files: closing any
     * descriptor of a file drops every POSIX lock the process holds on it.
     */
    private static final Set<Path> OURS = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FileChannel lockFile;
    private final FileLock lock;

    private StateDirectory(Path dir, FileChannel lockFile, FileLock lock) {
        this.dir = dir;
        this.lockFile = lockFile;
        this.lock = lock;
    }

    public static Path base() {
        return Path.of(System.getProperty(BASE_PROPERTY, "/run/containerized"));
    }

    static StateDirectory create(String id, WritableLayer layer) {
        Path base = base();
        Path dir = base.resolve(id);
        try {
            if (!Files.isDirectory(base)) {
                Files.createDirectories(base);
                Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx------"));
            }
            if (layer == WritableLayer.STATE_DIRECTORY) {
                requireRoom(base);
            }
            // Only root may enter: the upper layer holds what the container made, device nodes and setuid
            // files among them, and the base may be a directory anyone can traverse (-Dcontainerized.stateDir).
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new ContainerException("cannot create the container's state directory " + dir + ": " + e
                    + " (set -D" + BASE_PROPERTY + "=DIR to use another place)", e);
        }
        FileChannel channel = null;
        try {
            // Locked before it is named "lock": a sweep takes a directory whose lock file nobody holds for a
            // dead run's, so the lock file must never be there unlocked while its owner lives.
            Path unlocked = dir.resolve(LOCK + ".new");
            OURS.add(dir);
            channel = FileChannel.open(unlocked, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            FileLock lock = channel.lock();
            Files.move(unlocked, dir.resolve(LOCK), StandardCopyOption.ATOMIC_MOVE);
            return new StateDirectory(dir, channel, lock);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // The descriptor is gone either way.
                }
            }
            OURS.remove(dir);
            TreeRemoval.delete(dir);
            if (e instanceof FileLockInterruptionException || e instanceof ClosedByInterruptException) {
                throw new ContainerException("interrupted while the container's state directory was being made (a test timeout?)", e);
            }
            throw new ContainerException("cannot lock the container's state directory " + dir + ": " + e
                    + " (set -D" + BASE_PROPERTY + "=DIR to use another place)", e);
        }
    }

    /** Refuses a full filesystem before anything is made on it, with how much is left and the way out. */
    private static void requireRoom(Path base) {
        Mounts.Space space;
        try (Fd dir = Fcntl.open(base.toString(), Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0)) {
            space = Mounts.space(dir);
        } catch (LinuxException e) {
            return; // the mkdir that follows says what is wrong with the directory
        }
        boolean noBytes = space.freeBytes() < MIN_FREE_BYTES;
        boolean noInodes = space.totalInodes() > 0 && space.freeInodes() < MIN_FREE_INODES;
        if (noBytes || noInodes) {
            throw new ContainerException("the filesystem of the state directory " + base + " is full: "
                    + (noBytes ? space.freeBytes() / 1024 + " KiB free" : space.freeInodes() + " inodes free")
                    + ", and every container keeps its writable layer there. Free some space there, or set -D"
                    + BASE_PROPERTY + "=DIR to a directory on a filesystem with room");
        }
    }

    public Path path() {
        return dir;
    }

    /** Deletes the directory, then lets go of the lock. */
    void delete() {
        try {
            TreeRemoval.delete(dir);
        } finally {
            try {
                lock.release();
                lockFile.close();
            } catch (IOException ignored) {
                // Closing the channel releases the lock anyway.
            }
            OURS.remove(dir);
        }
    }

    /**
     * Removes the state directories of containers whose owner is gone: those whose lock nobody holds.
     * Live ones, of this JVM or any other, are locked and kept.
     */
    static int removeDeadOnes() {
        Path base = base();
        if (!Files.isDirectory(base)) {
            return 0;
        }
        int removed = 0;
        RuntimeException failure = null;
        try (Stream<Path> dirs = Files.list(base)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                if (!provablyDead(dir)) {
                    continue;
                }
                try {
                    TreeRemoval.delete(dir);
                    removed++;
                } catch (RuntimeException e) { // the other dead ones still go
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + base, e);
        }
        if (failure != null) {
            throw failure;
        }
        return removed;
    }

    private static boolean provablyDead(Path dir) {
        if (OURS.contains(dir)) {
            return false;
        }
        Path lockPath = dir.resolve(LOCK);
        if (!Files.exists(lockPath)) {
            return isOld(dir); // a JVM died between mkdir and lock, or one is between them right now
        }
        try (FileChannel channel = FileChannel.open(lockPath, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return false; // another process holds it: alive
            }
            lock.release();
            return true;
        } catch (IOException | OverlappingFileLockException gone) {
            return false;
        }
    }

    private static boolean isOld(Path dir) {
        try {
            return Files.getLastModifiedTime(dir).toInstant().isBefore(Instant.now().minus(YOUNG));
        } catch (IOException gone) {
            return false;
        }
    }
}
