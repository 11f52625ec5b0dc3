package dev.containerized.container.host;

import dev.containerized.container.ContainerException;
import dev.containerized.internal.linux.Dirents;
import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The copies a copy made of files that have more than one name, so that a later name of one becomes a
 * link to its copy, as tar and docker cp keep hard links: 50 MiB with 40 names would otherwise be copied
 * as 2 GiB, and a container could turn a file of a few bytes with thousands of names into gigabytes on
 * the host's disk.
 * <p>
 * A copy is remembered by its path below the copy's top directory and by its device and inode, not by a
 * descriptor, since a tree may hold hundreds of thousands of such files. A later name opens it again
 * beneath the top, through no link, and is linked to it only if it is still that file: where the other
 * side may change the tree meanwhile (a container, or a directory it shares), nothing else is linked.
 */
final class HardLinks {
    /** The most bytes of paths remembered (a path may be 4 KiB): past them, see {@link #remember}. */
    static final long KEPT_PATH_BYTES = 64L << 20;

    private record Copy(byte[] path, long device, long inode) {
    }

    private final Fd top;
    private final String what;
    private final boolean refuseWhenFull;
    private final Map<List<Long>, Copy> copies = new HashMap<>();
    private long pathBytes;

    /**
     * @param top            the directory the copy's paths start from
     * @param what           the copy, for the message that refuses a tree with too many such files
     * @param refuseWhenFull whether a tree with more such files than are remembered is refused (a tree a
     *                       container made or could change: copied name by name, a file of a few bytes with
     *                       thousands of names would take gigabytes) or copied whole past them (the test's own)
     */
    HardLinks(Fd top, String what, boolean refuseWhenFull) {
        this.top = top;
        this.what = what;
        this.refuseWhenFull = refuseWhenFull;
    }

    /** Whether a copy of {@code original}'s file was made that later names of it may link to. */
    boolean knows(Fcntl.FileStat original) {
        return original.links() > 1 && copies.containsKey(key(original));
    }

    /**
     * Makes {@code name} in {@code dir} another name of the copy made of {@code original}'s file. False
     * where the file has one name, or no copy of it was made yet, or that copy is no longer there, or the
     * filesystem cannot link it there (another mount: EXDEV; too many links: EMLINK; EPERM): the caller
     * then copies the file whole and {@link #remember remembers} that copy.
     */
    boolean link(Fcntl.FileStat original, Fd dir, byte[] name) {
        Copy copy = original.links() > 1 ? copies.get(key(original)) : null;
        if (copy == null) {
            return false;
        }
        try (Fd file = Dirents.openBeneath(top, copy.path(), Fcntl.O_PATH | Fcntl.O_NOFOLLOW)) {
            if (file == null) {
                return false;
            }
            Fcntl.FileStat now = Fcntl.stat(file);
            if (now.device() != copy.device() || now.inode() != copy.inode()) {
                return false;
            }
            Dirents.link(file, dir, name);
            return true;
        } catch (LinuxException e) {
            // The link, or the way to the copy (ELOOP: a link on it; ENOTDIR: a file; ENOENT: gone since), is not to be had.
            if (e.errno() == Errno.EXDEV || e.errno() == Errno.EMLINK || e.errno() == Errno.EPERM || e.errno() == Errno.ELOOP
                    || e.errno() == Errno.ENOTDIR || e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Remembers {@code copy}, made at {@code path} below the top, as the copy that later names of
     * {@code original}'s file link to: the latest one, where a name could not be linked to an earlier one
     * (so that a file with more names than the filesystem links makes one copy per 65,000 names on ext4,
     * not one per name).
     */
    void remember(Fcntl.FileStat original, byte[] path, Fd copy) {
        if (original.links() < 2) {
            return;
        }
        List<Long> key = key(original);
        Copy before = copies.get(key);
        long more = path.length - (before == null ? 0 : before.path().length);
        if (pathBytes + more > KEPT_PATH_BYTES) {
            if (refuseWhenFull) {
                throw new ContainerException("cannot copy " + what + ": it holds more files with several names (hard links) than a "
                        + "copy keeps track of (" + (KEPT_PATH_BYTES >> 20) + " MiB of their paths), and copied name by name they "
                        + "could take far more room than they do there: copy a part of it at a time");
            }
            return; // the test's own tree: later names of this file are copied whole
        }
        Fcntl.FileStat stat = Fcntl.stat(copy);
        copies.put(key, new Copy(path, stat.device(), stat.inode()));
        pathBytes += more;
    }

    private static List<Long> key(Fcntl.FileStat stat) {
        return List.of(stat.device(), stat.inode());
    }
}
