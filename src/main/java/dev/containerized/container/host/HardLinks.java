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
    /** The most files remembered (tens of MiB of heap at most); a tree with more is refused rather than copied name by name. */
    static final int KEPT = 200_000;

    private record Copy(byte[] path, long device, long inode) {
    }

    private final Fd top;
    private final String what;
    private final Map<List<Long>, Copy> copies = new HashMap<>();

    /**
     * @param top  the directory the copy's paths start from
     * @param what the copy, for the message that refuses a tree with too many such files
     */
    HardLinks(Fd top, String what) {
        this.top = top;
        this.what = what;
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
            // The link, or the way to the copy (ELOOP: a link on it; ENOTDIR: a file), is not to be had.
            if (e.errno() == Errno.EXDEV || e.errno() == Errno.EMLINK || e.errno() == Errno.EPERM || e.errno() == Errno.ELOOP
                    || e.errno() == Errno.ENOTDIR) {
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
        if (copies.size() >= KEPT && !copies.containsKey(key)) {
            throw new ContainerException("cannot copy " + what + ": it holds more than " + KEPT + " files with several names (hard "
                    + "links), more than a copy keeps track of, and copied name by name they could take far more room than they do"
                    + " there: copy a part of it at a time");
        }
        Fcntl.FileStat stat = Fcntl.stat(copy);
        copies.put(key, new Copy(path, stat.device(), stat.inode()));
    }

    private static List<Long> key(Fcntl.FileStat stat) {
        return List.of(stat.device(), stat.inode());
    }
}
