package dev.containerized.container.host;

import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

import static dev.containerized.internal.linux.Fcntl.O_CLOEXEC;
import static dev.containerized.internal.linux.Fcntl.O_DIRECTORY;
import static dev.containerized.internal.linux.Fcntl.O_NOFOLLOW;
import static dev.containerized.internal.linux.Fcntl.O_PATH;
import static dev.containerized.internal.linux.Fcntl.O_RDONLY;

/**
 * Deletes a directory tree a container wrote, however deep: each level is reached from its parent's
 * descriptor (openat, unlinkat), never by a full path, which a container can nest past PATH_MAX
 * ("File name too long"); symlinks are removed, never followed; a loop, not recursion, walks it.
 */
final class TreeRemoval {
    private TreeRemoval() {
    }

    /** A directory being emptied: its descriptor, the entries left, and its name in its parent. */
    private record Level(Fd dir, Iterator<String> entries, String name) {
    }

    /** Removes {@code root} and everything below it; nothing happens when it is not there. */
    static void delete(Path root) {
        Fd top;
        try {
            top = Fcntl.open(root.toString(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENOENT) {
                return;
            }
            if (e.errno() == Errno.ENOTDIR || e.errno() == Errno.ELOOP) {
                unlink(root);
                return;
            }
            throw e;
        }
        Deque<Level> levels = new ArrayDeque<>();
        levels.push(new Level(top, list(top), null));
        try {
            while (!levels.isEmpty()) {
                Level level = levels.peek();
                if (!level.entries.hasNext()) {
                    levels.pop().dir.close();
                    if (level.name != null) {
                        Fcntl.unlinkat(levels.peek().dir, level.name, Fcntl.AT_REMOVEDIR, level.name);
                    }
                    continue;
                }
                String name = level.entries.next();
                if (isDirectory(level.dir, name)) {
                    Fd child = Fcntl.openat(level.dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
                    levels.push(new Level(child, list(child), name));
                } else {
                    Fcntl.unlinkat(level.dir, name, 0, name);
                }
            }
        } finally {
            levels.forEach(l -> l.dir.close());
        }
        java.io.File file = root.toFile();
        if (!file.delete() && file.exists()) {
            throw new UncheckedIOException(new IOException("cannot remove the directory " + root));
        }
    }

    private static boolean isDirectory(Fd dir, String name) {
        try (Fd entry = Fcntl.openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0)) {
            return Fcntl.stat(entry).isDirectory();
        }
    }

    private static Iterator<String> list(Fd dir) {
        try {
            List<String> names = ContainerFiles.list(dir);
            return names.iterator();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list a directory being removed: " + e, e);
        }
    }

    private static void unlink(Path file) {
        if (!file.toFile().delete() && java.nio.file.Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new UncheckedIOException(new IOException("cannot remove " + file));
        }
    }
}
