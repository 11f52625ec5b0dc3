package dev.containerized.container.host;

import dev.containerized.internal.linux.Dirents;
import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Deletes a container's state directory, whose upper layer (on the state directory's filesystem, see
 * {@link WritableLayer}) holds whatever the container made: trees
 * nested far deeper than PATH_MAX (a path-based walk fails there with ENAMETOOLONG and leaves it all
 * behind, and the next sweep fails on it again), names that are not text, symlinks to anywhere. So the
 * tree is taken apart through directory descriptors, one level open at a time, going back up through
 * "..": no path grows with the depth, no symlink is followed, and as many descriptors are open for a
 * tree a million levels deep as for a flat one. The container has ended: nothing changes the tree meanwhile.
 */
final class TreeRemoval {
    private TreeRemoval() {
    }

    /** A directory being emptied: its name in its parent (null for the top) and its subdirectories still to go. */
    private record Level(byte[] name, Deque<byte[]> subdirectories) {
    }

    /** Deletes {@code root} and everything below it; a missing root is fine, as is an entry another sweeper removed first. */
    static void delete(Path root) {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            deleteFile(root);
            return;
        }
        byte[] rootName = root.getFileName().toString().getBytes(StandardCharsets.UTF_8);
        Path parentPath = root.toAbsolutePath().getParent();
        int depth = 0;
        try (Fd parent = Fcntl.open(parentPath.toString(), Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0)) {
            Fd dir = open(parent, rootName);
            if (dir == null) {
                return;
            }
            Deque<Level> levels = new ArrayDeque<>();
            levels.push(new Level(null, emptyAllButSubdirectories(dir)));
            try {
                while (!levels.isEmpty()) {
                    byte[] next = levels.peek().subdirectories().poll();
                    if (next != null) {
                        Fd child = open(dir, next);
                        if (child != null) {
                            dir.close();
                            dir = child;
                            depth++;
                            levels.push(new Level(next, emptyAllButSubdirectories(dir)));
                        }
                        continue;
                    }
                    Level emptied = levels.pop();
                    if (emptied.name() == null) {
                        break;
                    }
                    Fd up = Dirents.openDirectory(dir, "..".getBytes(StandardCharsets.US_ASCII));
                    dir.close();
                    dir = up;
                    depth--;
                    unlink(dir, emptied.name(), Fcntl.AT_REMOVEDIR);
                }
            } finally {
                dir.close();
            }
            unlink(parent, rootName, Fcntl.AT_REMOVEDIR);
        } catch (LinuxException e) {
            throw new UncheckedIOException(new IOException("cannot delete " + root + " (at " + depth + " levels below it): "
                    + e.getMessage(), e));
        }
    }

    /** The deepest tree {@link #deleteAt} takes apart: a descriptor is held per level. */
    private static final int DELETE_AT_DEPTH = 4096;

    /**
     * Deletes the entry {@code name} of {@code parent}, a tree taken apart as well, where a container may
     * still change it (a directory it shares with the host): each level is held by its descriptor, never
     * climbed back through "..", which a directory the container moves meanwhile would lead elsewhere.
     * It does not go into another mount: what makes way for a copy is never another filesystem's files
     * (and a container may move a host mount it cannot see into a directory it shares: see {@link HostPaths}).
     */
    static void deleteAt(Fd parent, byte[] top) {
        String name = new String(top, StandardCharsets.UTF_8);
        Fd dir = openDirectoryOrNull(parent, top);
        if (dir == null) {
            unlink(parent, top, 0); // a file, a link, or nothing
            return;
        }
        try {
            requireNoMountBelow(dir, name); // before anything is deleted: refused, the tree is left whole
        } catch (RuntimeException e) {
            dir.close();
            throw e;
        }
        Deque<Fd> open = new ArrayDeque<>();
        Deque<Level> levels = new ArrayDeque<>();
        open.push(dir);
        levels.push(new Level(top, emptyAllButSubdirectories(dir)));
        try {
            while (!levels.isEmpty()) {
                byte[] next = levels.peek().subdirectories().poll();
                if (next != null) {
                    Fd child = descend(open.peek(), next, open.size(), name);
                    if (child != null) {
                        open.push(child);
                        levels.push(new Level(next, emptyAllButSubdirectories(child)));
                    }
                    continue;
                }
                Level emptied = levels.pop();
                open.pop().close();
                unlink(open.isEmpty() ? parent : open.peek(), emptied.name(), Fcntl.AT_REMOVEDIR);
            }
        } finally {
            open.forEach(Fd::close);
        }
    }

    /**
     * The subdirectory {@code name} of {@code dir}, one level below the {@code levels} held; null if it is
     * none. Refused past {@link #DELETE_AT_DEPTH} levels: a descriptor is held for each.
     */
    private static Fd descend(Fd dir, byte[] name, int levels, String top) {
        Fd child = openDirectoryOrNull(dir, name);
        if (child != null && levels >= DELETE_AT_DEPTH) {
            child.close();
            throw new LinuxException("delete " + top + " on the host: deeper than " + DELETE_AT_DEPTH + " levels", Errno.ELOOP);
        }
        return child;
    }

    /** Walks the tree below {@code top} as {@link #deleteAt} will, deleting nothing: a mount point in it is refused (EXDEV). */
    private static void requireNoMountBelow(Fd top, String name) {
        Deque<Fd> open = new ArrayDeque<>();
        Deque<Deque<byte[]>> pending = new ArrayDeque<>();
        open.push(Fcntl.open(top.procPath(), Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0));
        try {
            pending.push(subdirectories(open.peek()));
            while (!pending.isEmpty()) {
                byte[] next = pending.peek().poll();
                if (next == null) {
                    pending.pop();
                    open.pop().close();
                    continue;
                }
                Fd child = descend(open.peek(), next, open.size(), name);
                if (child != null) {
                    open.push(child);
                    pending.push(subdirectories(child));
                }
            }
        } finally {
            open.forEach(Fd::close);
        }
    }

    /**
     * The names of {@code dir}'s entries that are, or may be, directories (DT_UNKNOWN: the filesystem did
     * not say); the others are looked at for a file mounted there.
     */
    private static Deque<byte[]> subdirectories(Fd dir) {
        Deque<byte[]> subdirectories = new ArrayDeque<>();
        for (Dirents.Entry entry : Dirents.list(dir)) {
            if (entry.type() == Dirents.DT_DIR || entry.type() == Dirents.DT_UNKNOWN) {
                subdirectories.add(entry.name());
            } else {
                try (Fd file = Dirents.openBeneath(dir, entry.name(), Fcntl.O_PATH | Fcntl.O_NOFOLLOW, Fcntl.RESOLVE_NO_XDEV)) {
                    // opened only to see that it is no mount point (EXDEV)
                } catch (LinuxException e) {
                    throw e.errno() == Errno.EXDEV ? aMountPoint(entry.name()) : e;
                }
            }
        }
        return subdirectories;
    }

    /** The directory {@code name} below {@code dir}, never through a link nor into another mount; null for anything else or nothing. */
    private static Fd openDirectoryOrNull(Fd dir, byte[] name) {
        try {
            return Dirents.openBeneath(dir, name, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_NOFOLLOW, Fcntl.RESOLVE_NO_XDEV);
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENOTDIR || e.errno() == Errno.ELOOP) {
                return null;
            }
            throw e.errno() == Errno.EXDEV ? aMountPoint(name) : e;
        }
    }

    private static LinuxException aMountPoint(byte[] name) {
        return new LinuxException("delete(" + new String(name, StandardCharsets.UTF_8) + " on the host, to make way for a copy: "
                + "a mount point, which is not deleted into)", Errno.EXDEV);
    }

    /** Unlinks every entry of {@code dir} that is not a directory; returns the names of the directories. */
    private static Deque<byte[]> emptyAllButSubdirectories(Fd dir) {
        Deque<byte[]> subdirectories = new ArrayDeque<>();
        for (Dirents.Entry entry : Dirents.list(dir)) {
            if (entry.type() == Dirents.DT_DIR) {
                subdirectories.add(entry.name());
                continue;
            }
            try {
                Dirents.unlink(dir, entry.name(), 0);
            } catch (LinuxException e) {
                if (e.errno() == Errno.EISDIR) {
                    subdirectories.add(entry.name()); // DT_UNKNOWN: the filesystem did not say
                } else if (e.errno() != Errno.ENOENT) {
                    throw e;
                }
            }
        }
        return subdirectories;
    }

    private static Fd open(Fd dir, byte[] name) {
        try {
            return Dirents.openDirectory(dir, name);
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENOENT) {
                return null;
            }
            throw e;
        }
    }

    private static void unlink(Fd dir, byte[] name, int flags) {
        try {
            Dirents.unlink(dir, name, flags);
        } catch (LinuxException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
    }

    private static void deleteFile(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path + ": " + e, e);
        }
    }
}
