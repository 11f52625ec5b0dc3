package dev.containerized.rootfs;

import dev.containerized.internal.linux.Dirents;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.FileCalls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/** Removing whole trees of a layer: never following a symlink, and with a loop rather than recursion, since a hostile layer can nest deep. */
final class Trees {
    private Trees() {
    }

    /** Removes whatever is at {@code path}, a directory with all it holds; nothing when nothing is there. */
    static void remove(byte[] path) {
        Optional<Fcntl.FileStat> top = FileCalls.lstat(path);
        if (top.isEmpty()) {
            return;
        }
        if (!top.get().isDirectory()) {
            FileCalls.unlink(path);
            return;
        }
        // Depth first: a directory is pushed back after its children, and removed when met the second time.
        Deque<byte[]> pending = new ArrayDeque<>();
        Deque<Boolean> listed = new ArrayDeque<>();
        pending.push(path);
        listed.push(false);
        while (!pending.isEmpty()) {
            byte[] dir = pending.pop();
            if (listed.pop()) {
                FileCalls.rmdir(dir);
                continue;
            }
            pending.push(dir);
            listed.push(true);
            for (Dirents.Entry entry : FileCalls.list(dir)) {
                byte[] child = join(dir, entry.name());
                if (isDirectory(child, entry.type())) {
                    pending.push(child);
                    listed.push(false);
                } else {
                    FileCalls.unlink(child);
                }
            }
        }
    }

    /** Removes a directory tree of the cache, if there; for temporary directories left by a failure. */
    static void removeQuietly(Path dir) {
        try {
            if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                remove(FileCalls.bytes(dir));
            }
        } catch (RuntimeException e) {
            System.getLogger(Trees.class.getName()).log(System.Logger.Level.WARNING,
                    "could not remove the temporary directory " + dir + ": " + e.getMessage());
        }
    }

    static boolean isDirectory(byte[] path, int direntType) {
        if (direntType != Dirents.DT_UNKNOWN) {
            return direntType == Dirents.DT_DIR;
        }
        return FileCalls.lstat(path).map(Fcntl.FileStat::isDirectory).orElse(false);
    }

    static byte[] join(byte[] dir, byte[] name) {
        byte[] joined = new byte[dir.length + 1 + name.length];
        System.arraycopy(dir, 0, joined, 0, dir.length);
        joined[dir.length] = '/';
        System.arraycopy(name, 0, joined, dir.length + 1, name.length);
        return joined;
    }
}
