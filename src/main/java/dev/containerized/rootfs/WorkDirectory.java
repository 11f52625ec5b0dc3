package dev.containerized.rootfs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A directory in the cache's tmp/ where a layer is unpacked or layers are merged, removed when closed
 * unless it was moved into place. A JVM killed half-way leaves one behind, possibly hundreds of
 * megabytes: each work directory has a lock file, locked while in use, and {@link #sweep} removes the
 * directories whose lock nobody holds. fcntl locks die with their process, in whatever pid namespace
 * it ran, where a recorded pid could name another process or none.
 */
final class WorkDirectory implements AutoCloseable {
    private static final String LOCK_SUFFIX = ".lock";
    /**
     * This JVM's lock files in use. A sweep must not even open them: closing any descriptor of a file
     * drops every fcntl lock the process holds on it (see {@link FileLock}), ours included.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path path;
    private final Path lockFile;
    private final FileChannel lockChannel;

    private WorkDirectory(Path path, Path lockFile, FileChannel lockChannel) {
        this.path = path;
        this.lockFile = lockFile;
        this.lockChannel = lockChannel;
    }

    /** A new, empty directory under {@code tmp}, locked as in use (the lock first, so no sweep takes it in between). */
    static WorkDirectory create(Path tmp, String prefix) {
        try {
            Path lockFile = Files.createTempFile(tmp, prefix, LOCK_SUFFIX);
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
            try {
                channel.lock();
                HELD.add(lockFile);
                String name = lockFile.getFileName().toString();
                Path dir = Files.createDirectory(tmp.resolve(name.substring(0, name.length() - LOCK_SUFFIX.length())));
                return new WorkDirectory(dir, lockFile, channel);
            } catch (IOException | RuntimeException e) {
                HELD.remove(lockFile);
                channel.close();
                Files.deleteIfExists(lockFile);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a work directory in " + tmp, e);
        }
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        Trees.removeQuietly(path);
        try {
            Files.deleteIfExists(lockFile);
            lockChannel.close();
            HELD.remove(lockFile);
        } catch (IOException ignored) {
            // A lock file left over is swept with nothing to remove next time.
        }
    }

    /** Removes the work directories (and their lock files) of processes that are gone. */
    static void sweep(Path tmp) {
        try (DirectoryStream<Path> locks = Files.newDirectoryStream(tmp, "*" + LOCK_SUFFIX)) {
            for (Path lockFile : locks) {
                removeIfAbandoned(lockFile);
            }
        } catch (IOException e) {
            System.getLogger(WorkDirectory.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot sweep abandoned work directories in " + tmp + ": " + e);
        }
    }

    private static void removeIfAbandoned(Path lockFile) throws IOException {
        if (HELD.contains(lockFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return; // another process is working in it
            }
            String name = lockFile.getFileName().toString();
            Trees.removeQuietly(lockFile.resolveSibling(name.substring(0, name.length() - LOCK_SUFFIX.length())));
            Files.deleteIfExists(lockFile);
        } catch (OverlappingFileLockException ours) {
            // This JVM's own, made between the check above and now.
        } catch (java.nio.file.NoSuchFileException gone) {
            // Its owner finished while we looked.
        }
    }
}
