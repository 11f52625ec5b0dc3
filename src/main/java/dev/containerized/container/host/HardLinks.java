package dev.containerized.container.host;

import dev.containerized.internal.linux.Dirents;
import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The copies a copy made of files that have more than one name, by the original's device and inode, so
 * that a later name of one becomes a link to its copy, as tar and docker cp keep hard links: 50 MiB with
 * 40 names would otherwise be copied as 2 GiB. One descriptor is held per copy, up to {@link #KEPT};
 * past them, a name is copied whole.
 */
final class HardLinks implements AutoCloseable {
    static final int KEPT = 1024;

    private final Map<List<Long>, Fd> copies = new HashMap<>();

    /** The copy already made of {@code original}'s file, or null: it has one name, or was not copied yet. */
    Fd copyOf(Fcntl.FileStat original) {
        return original.links() > 1 ? copies.get(key(original)) : null;
    }

    /**
     * Remembers {@code copy} (open on the copy made) as the copy of {@code original}'s file, if it has
     * other names and none is known yet (a name copied whole, where a link could not be made, leaves the
     * first copy the one later names link to).
     */
    void remember(Fcntl.FileStat original, Fd copy) {
        if (original.links() > 1 && copies.size() < KEPT && !copies.containsKey(key(original))) {
            copies.put(key(original), Fcntl.open(copy.procPath(), Fcntl.O_PATH | Fcntl.O_CLOEXEC, 0));
        }
    }

    /**
     * Makes {@code name} in {@code dir} another name of {@code copy}; false where the filesystem cannot
     * (another mount below the target: EXDEV; too many links: EMLINK; EPERM where links are not allowed),
     * and the caller copies the file whole.
     */
    static boolean link(Fd copy, Fd dir, byte[] name) {
        try {
            Dirents.link(copy, dir, name);
            return true;
        } catch (LinuxException e) {
            if (e.errno() == Errno.EXDEV || e.errno() == Errno.EMLINK || e.errno() == Errno.EPERM) {
                return false;
            }
            throw e;
        }
    }

    private static List<Long> key(Fcntl.FileStat stat) {
        return List.of(stat.device(), stat.inode());
    }

    @Override
    public void close() {
        copies.values().forEach(Fd::close);
        copies.clear();
    }
}
