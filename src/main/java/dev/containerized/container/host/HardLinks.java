package dev.containerized.container.host;

import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;

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

    /** Remembers {@code copy} (open on the copy made) as the copy of {@code original}'s file, if it has other names. */
    void remember(Fcntl.FileStat original, Fd copy) {
        if (original.links() > 1 && copies.size() < KEPT) {
            copies.put(key(original), Fcntl.open(copy.procPath(), Fcntl.O_PATH | Fcntl.O_CLOEXEC, 0));
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
