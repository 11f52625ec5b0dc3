package dev.containerized.container.host;

import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.linux.Xattrs;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host directories containers were given to write (the sources of read-write directory binds): known
 * to this JVM by device and inode for as long as it lives, and to later JVMs by an attribute on each. A
 * link a container put there outlives the container and the run, and the directory may be renamed or
 * reached by another path meanwhile. A host path is not resolved through links below them ({@link HostPaths}).
 */
final class SharedDirectories {
    /** The attribute on each such directory, for later JVMs (see {@link #mark}). */
    static final String MARK = "trusted.containerized.shared";
    /**
     * Device and inode, and the directory's birth time: a directory made after a shared one was deleted
     * may get its inode number at once (ext4 does so), and is not taken for it. The time is read only for
     * a directory whose numbers match, which is rare.
     */
    private static final Map<List<Long>, Long> KNOWN = new ConcurrentHashMap<>();

    private SharedDirectories() {
    }

    /**
     * Remembers {@code directory} ({@code stat} its status), the source of a read-write bind being made:
     * before the container runs, so before it can put a link there.
     */
    static void remember(Fd directory, Fcntl.FileStat stat) {
        KNOWN.put(List.of(stat.device(), stat.inode()), Fcntl.birthNanos(directory));
        mark(directory);
    }

    /**
     * Marks the directory for later JVMs too: a link a container put there stays after this JVM ends, in
     * a workspace a later run shares or copies into again. Only root outside a container can set or
     * remove a {@code trusted.} attribute (CAP_SYS_ADMIN), so no container can take it off; a filesystem
     * without them keeps none, and then only this JVM knows the directory.
     */
    private static void mark(Fd directory) {
        try {
            Xattrs.set(directory.procPath() + "/.", MARK, "1");
        } catch (LinuxException unsupported) {
            // EOPNOTSUPP or EPERM on some filesystems: this JVM's own list still knows it.
        }
    }

    /** Whether {@code directory} ({@code stat} its status) is one of them: the top of one; below it, a walk from the top knows. */
    static boolean isOne(Fd directory, Fcntl.FileStat stat) {
        Long birth = KNOWN.get(List.of(stat.device(), stat.inode()));
        return birth != null && birth == Fcntl.birthNanos(directory) || Xattrs.has(directory.procPath() + "/.", MARK);
    }

    /** For a test: what a later JVM knows, the marks alone. */
    static void forgetThisJvmsList() {
        KNOWN.clear();
    }
}
