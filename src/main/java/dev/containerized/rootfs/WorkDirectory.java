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
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private final Path path;
    private final Path lockFile;
    private final FileChannel lockChannel;

    private WorkDirectory(Path path, Path lockFile, FileChannel lockChannel) {
        this.path = path;
        this.lockFile = lockFile;
        this.lockChannel = lockChannel;
    }

    /**
     * A new, empty directory under {@code tmp}, locked as in use. The lock comes first, and this JVM
     * knows it as its own before the file exists, so that no sweep, here or in another process, can
     * take the directory for an abandoned one.
     */
    static WorkDirectory create(Path tmp, String prefix) {
        IOException failure = new IOException("its lock file keeps disappearing as it is made");
        for (int attempt = 0; attempt < 4; attempt++) {
            Path lockFile = tmp.resolve(prefix + Long.toUnsignedString(RANDOM.nextLong(), 36) + LOCK_SUFFIX);
            HELD.add(lockFile);
            FileChannel channel = null;
            try {
                channel = FileChannel.open(lockFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                channel.lock();
                // Another process's sweep may have taken the file between its creation and our lock.
                if (Files.exists(lockFile)) {
                    return new WorkDirectory(Files.createDirectory(directoryOf(lockFile)), lockFile, channel);
                }
            } catch (IOException e) {
                failure = e;
            }
            closeQuietly(channel);
            HELD.remove(lockFile);
        }
        throw new UncheckedIOException("cannot make a work directory in " + tmp, failure);
    }

    private static Path directoryOf(Path lockFile) {
        String name = lockFile.getFileName().toString();
        return lockFile.resolveSibling(name.substring(0, name.length() - LOCK_SUFFIX.length()));
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // Closing releases the lock, which is all that matters here.
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
            Trees.removeQuietly(directoryOf(lockFile));
            Files.deleteIfExists(lockFile);
        } catch (OverlappingFileLockException ours) {
            // This JVM's own, made between the check above and now.
        } catch (java.nio.file.NoSuchFileException gone) {
            // Its owner finished while we looked.
        }
    }
}
