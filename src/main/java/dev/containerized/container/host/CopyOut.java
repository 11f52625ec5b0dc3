package dev.containerized.container.host;

import dev.containerized.container.ContainerException;
import dev.containerized.internal.linux.Dirents;
import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.linux.Mounts;
import dev.containerized.internal.text.ControlCharacters;

import java.nio.charset.StandardCharsets;

import static dev.containerized.internal.linux.Fcntl.O_CLOEXEC;
import static dev.containerized.internal.linux.Fcntl.O_CREAT;
import static dev.containerized.internal.linux.Fcntl.O_EXCL;
import static dev.containerized.internal.linux.Fcntl.O_DIRECTORY;
import static dev.containerized.internal.linux.Fcntl.O_NOFOLLOW;
import static dev.containerized.internal.linux.Fcntl.O_NONBLOCK;
import static dev.containerized.internal.linux.Fcntl.O_PATH;
import static dev.containerized.internal.linux.Fcntl.O_RDONLY;
import static dev.containerized.internal.linux.Fcntl.O_WRONLY;

/**
 * copyFrom's walk: a container's file or tree onto the host. Both sides go by descriptors, one level
 * at a time, never by a path walked again: the container's side may change while it is copied, and so
 * may the host's, where the target lies in a directory bound into a container read-write. So nothing
 * checked can be swapped for something else before it is used, no link on either side is followed,
 * and below such a directory no other mount is entered ({@link HostPaths}). A file is written under a
 * new name and renamed into place, so no host file is opened that a container may have put there.
 */
final class CopyOut {
    private static final int S_ISUID = 04000;
    private static final int S_ISGID = 02000;


    private final String id;
    private final HostPaths host;
    /** Files of the container with more than one name, and their copies on the host. */
    private final HardLinks linked;

    /**
     * @param top  the host directory the copy goes into: {@link #copy} is given it first
     * @param what the copy, for messages
     */
    CopyOut(String id, HostPaths host, Fd top, String what) {
        this.id = id;
        this.host = host;
        this.linked = new HardLinks(top, what, true); // a container's tree
    }

    /**
     * Copies {@code item} as {@code name} into the host directory {@code hostDir}. An entry in the way
     * there that is a link, or not of the kind copied, is removed (the link itself) and made anew; a
     * directory is merged into. Names go by their bytes, as the container's are: they need not be text,
     * and two that decode alike must not become one file.
     *
     * @param path        where it goes, below the directory the copy started in: {@code name} for the top
     * @param top         whether {@code item} is what the test named (refused when it cannot be copied) or an
     *                    entry below it (skipped then, as docker cp skips devices)
     * @param belowShared whether {@code hostDir} lies below a directory a container was given to write
     */
    void copy(Fd item, String shown, Fd hostDir, byte[] name, byte[] path, boolean top, boolean belowShared) {
        if (top) {
            ContainerFiles.requireContainersOwn(item, shown, id);
        } else if (Mounts.kernelFilesystem(item) != null) {
            return; // the container's /proc, /sys or /dev/pts inside a tree: not its files
        }
        if (shown.length() >= Fcntl.PATH_MAX) {
            throw new ContainerException(shown.substring(0, 200) + "… in container " + id + " is deeper than PATH_MAX ("
                    + Fcntl.PATH_MAX + " bytes of path), which copyFrom does not copy, as no test could use it");
        }
        Fcntl.FileStat stat = Fcntl.stat(item);
        Fcntl.FileStat existing = statAt(hostDir, name, belowShared);
        if (stat.isDirectory()) {
            if (existing != null && !existing.isDirectory()) {
                TreeRemoval.deleteAt(hostDir, name);
            }
            if (existing == null || !existing.isDirectory()) {
                Dirents.mkdir(hostDir, name, 0700);
            }
            try (Fd hostChild = openHostDirectory(hostDir, name, belowShared);
                 Fd dir = Fcntl.open(item.procPath(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)) {
                boolean childrenBelowShared = HostPaths.belowShared(belowShared, hostChild, Fcntl.stat(hostChild));
                for (Dirents.Entry entry : Dirents.list(dir)) {
                    try (Fd child = Dirents.openBeneath(dir, entry.name(), O_PATH | O_NOFOLLOW)) {
                        if (child != null) { // else removed meanwhile
                            copy(child, shown + "/" + entry, hostChild, entry.name(), Dirents.childPath(path, entry.name()), false,
                                    childrenBelowShared);
                        }
                    }
                }
                finish(hostChild, stat.permissions(), stat, shown);
            }
        } else if (stat.isSymlink()) {
            if (existing != null) {
                TreeRemoval.deleteAt(hostDir, name);
            }
            Dirents.symlink(Dirents.readlink(item), hostDir, name);
            CopiedTrees.mark(hostDir, name);
        } else if (stat.isRegularFile()) {
            if (existing != null && existing.isDirectory()) {
                TreeRemoval.deleteAt(hostDir, name); // the rename below replaces anything else, but not a directory
            }
            // The file checked, opened again through its own descriptor: whatever the container renames
            // meanwhile, this is the same file. The copy is made under a new name of its own (O_EXCL: nothing
            // that was there is opened, such as a device node a container sharing the directory put there,
            // whose open alone can act, as root on the host) and renamed into place once whole.
            String aside = AsideCopies.newName();
            if (linked.link(stat, hostDir, aside.getBytes(StandardCharsets.US_ASCII))) {
                // Another name of a file already copied: a link to its copy, put into place as a copy is.
                try {
                    placeCopy(hostDir, aside, name, shown);
                } finally {
                    AsideCopies.removeQuietly(hostDir, aside); // still there if the rename failed, or if the name was a link to the copy already
                }
                return;
            }
            try (Fd file = Fcntl.open(item.procPath(), O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
                 Fd out = Fcntl.openat(hostDir, aside, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) {
                boolean placed = false;
                try {
                    SparseFiles.copy(file, Fcntl.stat(file).size(), out);
                    // No setuid or setgid bit: this JVM makes the copy, so root owns it, and a container's program
                    // with them would be a way to root for anyone on the host who can reach the copy.
                    finish(out, stat.permissions() & ~(S_ISUID | S_ISGID), stat, shown);
                    placeCopy(hostDir, aside, name, shown);
                    placed = true;
                } finally {
                    if (!placed) {
                        AsideCopies.removeQuietly(hostDir, aside);
                    }
                }
                linked.remember(stat, path, out);
            }
        }
        // Devices, fifos, sockets in a tree: not copied (the top one was refused before: requireCopyable).
    }

    /** Refuses {@code item}, what the test named, when it is none of what copyFrom copies: before anything is made on the host. */
    static void requireCopyable(Fd item, String shown, String id) {
        Fcntl.FileStat stat = Fcntl.stat(item);
        if (!stat.isDirectory() && !stat.isSymlink() && !stat.isRegularFile()) {
            throw new ContainerException("cannot copy " + shown + " of container " + id + ": it is a " + kind(stat)
                    + ", and copyFrom copies files, directories and links (as a tree's entry, it would be left out); read it with "
                    + "exec(…) instead");
        }
    }

    private static String kind(Fcntl.FileStat stat) {
        return switch (stat.type()) {
            case Fcntl.S_IFIFO -> "fifo";
            case Fcntl.S_IFSOCK -> "socket";
            default -> "device";
        };
    }

    /** The copy {@code aside}, renamed over {@code name}: a host file there is replaced, not written into. */
    private void placeCopy(Fd hostDir, String aside, byte[] name, String shown) {
        try {
            Dirents.rename(hostDir, aside.getBytes(StandardCharsets.US_ASCII), name);
        } catch (LinuxException e) {
            if (e.errno() == Errno.EBUSY) {
                throw new ContainerException("cannot copy " + shown + " of container " + id + ": "
                        + ControlCharacters.escape(new String(name, StandardCharsets.UTF_8)) + " on the host is a mount "
                        + "point (a file bound there), which copyFrom cannot replace, as it writes a new file and renames it "
                        + "into place: copy to another path, or unmount it first", e);
            }
            throw e;
        }
    }

    private Fcntl.FileStat statAt(Fd dir, byte[] name, boolean belowShared) {
        try (Fd entry = host.openInTree(dir, name, O_PATH, belowShared)) {
            return entry == null ? null : Fcntl.stat(entry);
        }
    }

    private Fd openHostDirectory(Fd dir, byte[] name, boolean belowShared) {
        Fd opened = host.openInTree(dir, name, O_RDONLY | O_DIRECTORY, belowShared);
        if (opened == null) {
            throw new LinuxException("open(" + new String(name, StandardCharsets.UTF_8) + " on the host, removed meanwhile)",
                    Errno.ENOENT);
        }
        return opened;
    }

    private static void finish(Fd fd, int mode, Fcntl.FileStat stat, String name) {
        Fcntl.chmod(fd, mode, name);
        Fcntl.setTimes(fd, stat.mtimeSeconds(), stat.mtimeNanos(), name);
    }
}
