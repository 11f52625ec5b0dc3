package dev.containerized.container.host;

import dev.containerized.container.ContainerException;
import dev.containerized.internal.linux.Dirents;
import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.linux.Mounts;
import dev.containerized.internal.linux.Unistd;
import dev.containerized.internal.text.ControlCharacters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static dev.containerized.internal.linux.Fcntl.O_CLOEXEC;
import static dev.containerized.internal.linux.Fcntl.O_CREAT;
import static dev.containerized.internal.linux.Fcntl.O_EXCL;
import static dev.containerized.internal.linux.Fcntl.O_DIRECTORY;
import static dev.containerized.internal.linux.Fcntl.O_NOFOLLOW;
import static dev.containerized.internal.linux.Fcntl.O_PATH;
import static dev.containerized.internal.linux.Fcntl.O_RDONLY;
import static dev.containerized.internal.linux.Fcntl.O_TRUNC;
import static dev.containerized.internal.linux.Fcntl.O_WRONLY;

/**
 * Files in and out of a running container, as {@code docker cp} moves them: through PID 1's root
 * ({@code /proc/<pid>/root}), every path resolved with openat2(RESOLVE_IN_ROOT), so that a symlink in
 * the container, absolute or climbing with "..", stays inside it as it would for a process there.
 * Modes and modification times are kept; files made inside belong to root.
 */
final class ContainerFiles implements AutoCloseable {
    /** readFile is for test fixtures and results; larger files go through copyFrom. */
    static final int READ_LIMIT = 64 << 20;
    /** How much of a byte array copyTo writes at a time: JNA copies what a call is given into native memory. */
    private static final int WRITE_CHUNK = 64 * 1024;
    private static final long RESOLVE = Fcntl.RESOLVE_IN_ROOT | Fcntl.RESOLVE_NO_MAGICLINKS;

    /** The container's root directory, held for the container's life (see {@link #openRootOf}). */
    private final Fd root;
    private final String id;
    /** The host files the test bound in: the only files copyTo writes in place. */
    private final BoundFiles bound;
    /** The container's memory limit, which holds its tmpfs to a size a copy may fill ({@link MemoryBackedSizes}). */
    private final OptionalLong memoryLimitBytes;

    /** @param root the container's root directory, which this closes */
    ContainerFiles(Fd root, String id, BoundFiles bound, OptionalLong memoryLimitBytes) {
        this.root = root;
        this.id = id;
        this.bound = bound;
        this.memoryLimitBytes = memoryLimitBytes;
    }

    /**
     * The root directory of the process {@code pid}: call it while that pid is surely the container's PID 1
     * (its parent has not reaped it), since /proc finds a process by a number the kernel reuses.
     */
    static Fd openRootOf(long pid, String id) {
        try {
            return Fcntl.open("/proc/" + pid + "/root", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        } catch (LinuxException e) {
            throw new ContainerException("container " + id + " has no root: " + e.getMessage(), e);
        }
    }

    /** Under the lock {@link #root()} opens through it: its number is never another file's by then. */
    @Override
    public synchronized void close() {
        root.close();
    }

    /**
     * Copies the host file or directory {@code source} to {@code target} in the container: made, or
     * replaced (a file), or merged into (a directory); a file onto a directory goes into it.
     */
    void copyTo(Path source, String target) {
        requireHostPath(source);
        relative(target); // refused before anything is opened
        HostPaths host = new HostPaths("cannot copy " + source + " to " + target + " in container " + id);
        try (Fd root = root(); HostPaths.Walked item = openHostItem(source, host)) {
            CopyTarget copy = pathOfCopy(root, item.fd(), source, target);
            DeepWalk.run("containerized-copy-" + id, () -> {
                copyIn(root, item.fd(), copy, host, source + " to container " + id, item.belowShared());
                return null;
            });
        } catch (ContainerException e) {
            throw e;
        } catch (LinuxException e) {
            throw new ContainerException("cannot copy " + source + " to " + target + " in container " + id + ": " + e.getMessage()
                    + whereThereIsRoom(e), e);
        } catch (Exception e) {
            throw new ContainerException("cannot copy " + source + " to " + target + " in container " + id + ": " + e, e);
        }
    }

    /**
     * For a copy that found no room (ENOSPC) under a memory limit: that the container's tmpfs are held to a
     * size below the limit, and the ways out. A test used to Docker, whose root filesystem is on disk,
     * would not guess that the limit bounds its files.
     */
    private String whereThereIsRoom(LinuxException e) {
        if (e.errno() != Errno.ENOSPC || memoryLimitBytes.isEmpty()) {
            return "";
        }
        long mebibytes = MemoryBackedSizes.mostUnder(memoryLimitBytes.getAsLong()) >> 20;
        return " (under its memory limit, each tmpfs of the container, its root filesystem's writable layer included "
                + "unless -Dcontainerized.writableLayer=stateDir, holds at most " + mebibytes + " MiB: raise memoryLimit, "
                + "copy into a bound directory, or keep the root's layer on disk with -Dcontainerized.writableLayer=stateDir)";
    }

    /**
     * Where the copy of {@code item} goes, below the container's root: {@code target} itself, or, where
     * that is a directory and the item is not one, the item's name in it, as docker cp and cp do. For a
     * file, a target that ends in "/" names a directory, which must be there (docker cp asks the same);
     * a directory is copied to it as without the "/", made if missing.
     */
    private CopyTarget pathOfCopy(Fd root, Fd item, Path source, String target) {
        String relative = relative(target);
        if (Fcntl.stat(item).isDirectory()) {
            return CopyTarget.at(relative);
        }
        String there; // what is at the target: "a directory", "a file", or null for nothing
        try (Fd found = openOrNull(root, relative, O_PATH)) {
            there = found == null ? null : Fcntl.stat(found).isDirectory() ? "a directory" : "not a directory";
        } catch (LinuxException e) {
            if (e.errno() != Errno.ENOTDIR) {
                throw e;
            }
            there = "below a file"; // making the copy's directories says which one
        }
        boolean directoryThere = "a directory".equals(there);
        if (target.endsWith("/") && !directoryThere) {
            throw new ContainerException("cannot copy " + source + " to " + target + " in container " + id + ": the target ends "
                    + "with \"/\", so it names a directory, and " + (there == null ? "there is none"
                    : there.equals("below a file") ? "a file is on its path" : "what is there is not one")
                    + ": make the directory first, or give the path of the copy without the \"/\"");
        }
        if (!directoryThere) {
            return CopyTarget.at(relative);
        }
        return new CopyTarget(relative, HostPaths.fileNameBytes(source.toAbsolutePath().normalize()));
    }

    /**
     * Where a copy goes below the container's root: the entry {@code name} of the directory at
     * {@code directory}, the name as bytes (a host file's own name need not be UTF-8).
     */
    private record CopyTarget(String directory, byte[] name) {
        /** The path the test named (not "", the root, which only a directory is copied to). */
        static CopyTarget at(String relative) {
            return new CopyTarget(parentPath(relative), relative.isEmpty() ? new byte[0] : ContainerFiles.name(relative).getBytes(StandardCharsets.UTF_8));
        }

        /** The path, for the directory a directory is copied to: "" for the root. */
        String relative() {
            String last = new String(name, StandardCharsets.UTF_8);
            return directory.isEmpty() ? last : last.isEmpty() ? directory : directory + "/" + last;
        }

        String shown() {
            String last = ControlCharacters.escape(new String(name, StandardCharsets.UTF_8));
            return "/" + (directory.isEmpty() ? last : directory + "/" + last);
        }

        int pathBytes() {
            return name.length == 0 && directory.isEmpty() ? 0
                    : 1 + (directory.isEmpty() ? 0 : directory.getBytes(StandardCharsets.UTF_8).length + 1) + name.length;
        }
    }

    /** Refuses a path of another filesystem than the host's (a zip file's, an in-memory one's), whose text names another file here. */
    private static void requireHostPath(Path path) {
        if (path.getFileSystem() != java.nio.file.FileSystems.getDefault()) {
            throw new IllegalArgumentException(path + " is a path of " + path.getFileSystem() + ", not of the host's filesystem, "
                    + "which copies go to and from: copy it to a host directory first (Files.copy)");
        }
    }

    /**
     * The host's {@code source} as the test named it (its own links followed, none a container may have
     * made: see {@link HostPaths}), itself not followed if a link.
     */
    private static HostPaths.Walked openHostItem(Path source, HostPaths host) {
        Path absolute = source.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        if (parent == null) { // "/", in no directory: whether it is a shared one, copyIn asks of it itself
            return new HostPaths.Walked(Fcntl.open(absolute.toString(), O_PATH | O_CLOEXEC, 0), false);
        }
        try (HostPaths.Walked dir = host.openDirectory(parent, false)) {
            Fd item = host.openInTree(dir.fd(), HostPaths.fileNameBytes(absolute), O_PATH, dir.belowShared());
            if (item == null) {
                throw new LinuxException("open(" + absolute + ")", Errno.ENOENT);
            }
            return new HostPaths.Walked(item, dir.belowShared());
        }
    }

    /** How copyTo walks the host's tree, and the copies it made of files with more than one name. */
    private record HostTree(HostPaths paths, HardLinks linked) {
    }

    /**
     * An entry of the container's tree a copy makes: {@code name} in the directory {@code parent};
     * {@code shown} is its path for messages, {@code pathBytes} the length of its path from the root, and
     * {@code path} its path below the directory the copy started in.
     */
    private record Place(Fd parent, byte[] name, String shown, int pathBytes, byte[] path) {
        /** The place of {@code childName} in the directory {@code dir}, which is this place. */
        Place child(Fd dir, byte[] childName) {
            return new Place(dir, childName, shown + "/" + ControlCharacters.escape(new String(childName, StandardCharsets.UTF_8)),
                    pathBytes + 1 + childName.length, Dirents.childPath(path, childName));
        }
    }

    /**
     * Copies the host's {@code item} to {@code relative} in the container. The path the test gave is
     * resolved in the container's root, its links followed there, as docker cp does, and its missing
     * directories made; below it, the copy goes entry by entry (see {@link #copyEntry}).
     */
    private void copyIn(Fd root, Fd item, CopyTarget target, HostPaths paths, String what, boolean belowShared) throws IOException {
        Fcntl.FileStat stat = Fcntl.stat(item);
        if (!stat.isDirectory() && !stat.isSymlink() && !stat.isRegularFile()) {
            throw new ContainerException("cannot copy a fifo, socket or device to container " + id + ": copyTo copies files, "
                    + "directories and links");
        }
        int pathBytes = target.pathBytes();
        if (stat.isDirectory()) {
            String relative = target.relative(); // the test's own path, as text
            boolean existed;
            try (Fd there = openOrNull(root, relative, O_PATH)) {
                existed = there != null;
            }
            makeDirectories(root, relative);
            try (Fd dir = open(root, relative, O_RDONLY | O_DIRECTORY)) {
                requireContainersOwn(dir, "/" + relative);
                copyDirectory(dir, new Place(null, null, relative.isEmpty() ? "" : "/" + relative, pathBytes, new byte[0]), item,
                        stat, !existed, new HostTree(paths, new HardLinks(dir, what, belowShared)), belowShared);
            }
            return;
        }
        makeDirectories(root, target.directory());
        try (Fd parent = open(root, target.directory(), O_PATH | O_DIRECTORY)) {
            requireContainersOwn(parent, "/" + target.directory());
            copyEntry(new Place(parent, target.name(), target.shown(), pathBytes, target.name()), item, stat, true,
                    new HostTree(paths, new HardLinks(parent, what, belowShared)), belowShared);
        }
    }

    /**
     * Copies the host's {@code item} to {@code to}. Both trees are walked by descriptors, by the names'
     * bytes (a name need not be text), never by a path again: in the host's tree, where it lies in a
     * directory bound into a container read-write, the container may swap an entry for a link to any
     * host file between the look and the read, or move a host mount there ({@link HostPaths}:
     * {@code belowShared} says whether {@code item} lies below such a directory). In the container's, a
     * link in the way is not followed: a directory does not go onto one (docker cp refuses that too), a
     * file is not written through one, a link replaces one.
     */
    private void copyEntry(Place to, Fd item, Fcntl.FileStat stat, boolean top, HostTree host, boolean belowShared)
            throws IOException {
        if (to.pathBytes() >= Fcntl.PATH_MAX) {
            throw new ContainerException(to.shown().substring(0, Math.min(200, to.shown().length())) + "… is deeper than PATH_MAX ("
                    + Fcntl.PATH_MAX + " bytes of path), which the container's programs could not open, in container " + id);
        }
        if (stat.isDirectory()) {
            try (Fd dir = directoryFor(to)) {
                requireContainersOwn(dir, to.shown());
                copyDirectory(dir, to, item, stat, true, host, belowShared);
            }
        } else if (stat.isSymlink()) {
            removeToReplace(to); // a file or link in the way is replaced, as a copied file replaces one
            Dirents.symlink(Dirents.readlink(item), to.parent(), to.name());
        } else if (stat.isRegularFile()) {
            if (linkedToItsCopy(to, stat, host.linked())) {
                return;
            }
            // Through its own descriptor: the file that was looked at, whatever is renamed meanwhile.
            try (Fd file = openToRead(item, to.shown());
                 Fd copy = writeFile(to.parent(), to.name(), to.shown(), stat.permissions(), written -> {
                     SparseFiles.copy(file, Fcntl.stat(file).size(), written);
                     Fcntl.setTimes(written, stat.mtimeSeconds(), stat.mtimeNanos(), to.shown());
                 })) {
                host.linked().remember(stat, to.path(), copy);
            }
        }
        // Below the top, sockets, fifos and devices are not copied, as docker cp does not either.
    }

    /** What a file copyTo writes holds: written to {@code file}, which {@link #writeFile} then puts in place. */
    private interface Contents {
        void writeTo(Fd file);
    }

    /**
     * Writes the file {@code name} in {@code parent} ({@code shown} is its path in the container), with
     * {@code mode}, and returns it, open. The file is made under a new name of its own ({@code O_EXCL}) and
     * renamed into place once whole, as copyFrom's copies are: this JVM, root on the host, never writes into
     * a file that was there, which a container's program that may not write it could have moved to that
     * name (review27 #3: a root file of a directory bound read-write, seen through its other links), and a
     * copy that fails (the layer full, say) leaves what was there as it was, and no short file. What was
     * there is replaced, as docker cp replaces it: its other hard links keep the old content, and the new
     * file is root's. Only a file the test bound into the container at that very path is written in place:
     * renamed over from outside the container's mount namespace, its mount would go. A mount point found
     * elsewhere was moved there by the container, which may rename the directory holding one (review28 #1),
     * and is refused.
     */
    private Fd writeFile(Fd parent, byte[] name, String shown, int mode, Contents contents) {
        try (Fd there = Dirents.openatOrNull(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) {
            if (there != null) {
                Fcntl.FileStat stat = Fcntl.stat(there);
                refuseWhatIsNotReplaced(there, stat, shown);
                if (Fcntl.isMountRoot(there)) {
                    return writeBoundFile(parent, name, stat, shown, mode, contents);
                }
            }
        }
        String aside = AsideCopies.newName();
        Fd file;
        try {
            file = Fcntl.openat(parent, aside, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        } catch (LinuxException e) {
            throw new LinuxException("open(" + shown + ") for writing", e.errno()); // the target, not the name aside
        }
        boolean placed = false;
        try {
            contents.writeTo(file);
            Fcntl.chmod(file, mode, shown); // the mode asked for, whatever the umask made of it
            try {
                Dirents.rename(parent, aside.getBytes(StandardCharsets.US_ASCII), name);
            } catch (LinuxException e) {
                throw new LinuxException("rename the copy written beside " + shown + " as " + aside + " into place", e.errno());
            }
            placed = true;
            return file;
        } finally {
            if (!placed) {
                AsideCopies.removeQuietly(parent, aside);
                file.close();
            }
        }
    }

    /** Writes in place the mount point at {@code name} ({@code stat} is its), if it is the file the test bound there. */
    private Fd writeBoundFile(Fd parent, byte[] name, Fcntl.FileStat stat, String shown, int mode, Contents contents) {
        if (!bound.isBoundAt(shown, stat)) {
            throw new ContainerException(shown + " in container " + id + " is a mount point, but not a file the test "
                    + "bound at that path (the container may have moved a bound file's directory there, or the bind's "
                    + "own path went through a link of the container), and a copy neither writes into nor replaces "
                    + "it: write the bound host file itself, or copy to another path");
        }
        Fd file = openBoundForWriting(parent, name, shown);
        try {
            contents.writeTo(file);
            Fcntl.chmod(file, mode, shown);
            return file;
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /**
     * Refuses {@code existing} ({@code stat} is its), what is at a copy's target, when it is not a file a
     * copy replaces: a directory, a fifo, socket or device the container made, or a symbolic link, whose
     * target the test more likely meant to write.
     */
    private static void refuseWhatIsNotReplaced(Fd existing, Fcntl.FileStat stat, String shown) {
        if (stat.isSymlink()) {
            throw new LinuxException(shown + " is a symbolic link to " + ControlCharacters.escape(Fcntl.readlink(existing))
                    + ", which is not written through: give the path of the file itself", Errno.ELOOP);
        }
        requireReplaceable(stat, shown);
    }

    /**
     * Whether {@code to} became another name of the copy made of {@code original}'s file, which has other
     * names; false where none was made yet, or a link cannot be made there (see {@link HardLinks#link}),
     * and the file is copied whole.
     */
    private boolean linkedToItsCopy(Place to, Fcntl.FileStat original, HardLinks linked) {
        if (!linked.knows(original)) {
            return false; // the first name copied: written in place, as any file
        }
        removeToReplace(to);
        return linked.link(original, to.parent(), to.name());
    }

    /**
     * Removes what is at {@code at} for a link to take its place: a file or a link, never a directory nor
     * what a copy does not replace ({@link #notRegular}), and never a mount point of the container (a
     * file the test bound in, say). This JVM is outside the container's mount namespace, where the kernel
     * lets an unlink of a mount point through and takes the mount away; the container itself would get EBUSY.
     */
    private void removeToReplace(Place at) {
        try (Fd there = Dirents.openatOrNull(at.parent(), at.name(), O_PATH | O_NOFOLLOW | O_CLOEXEC)) {
            if (there == null) {
                return;
            }
            requireReplaceable(Fcntl.stat(there), at.shown());
            if (Fcntl.isMountRoot(there)) {
                throw new ContainerException(at.shown() + " in container " + id + " is a mount point (a file bound into the "
                        + "container), which a copy does not replace: copy that entry elsewhere, or leave it out of the tree");
            }
        }
        unlinkIfThere(at.parent(), at.name());
    }

    /**
     * The host directory {@code item}'s entries given to the container's directory {@code dir}, at
     * {@code at}, and its mode and time where {@code ownModeAndTime} (not to the directory the test named
     * when it was there already: a copy into /tmp must not make it 0700, as docker cp's does not).
     */
    private void copyDirectory(Fd dir, Place at, Fd item, Fcntl.FileStat stat, boolean ownModeAndTime, HostTree host,
                               boolean belowShared) throws IOException {
        String where = at.shown().isEmpty() ? "/" : at.shown();
        boolean childrenBelowShared = HostPaths.belowShared(belowShared, item, stat);
        if (ownModeAndTime) {
            Fcntl.chmod(dir, stat.permissions(), where);
        }
        try (Fd hostDir = Fcntl.open(item.procPath(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)) {
            for (Dirents.Entry entry : Dirents.list(hostDir)) {
                try (Fd child = host.paths().openInTree(hostDir, entry.name(), O_PATH, childrenBelowShared)) {
                    if (child != null) {
                        copyEntry(at.child(dir, entry.name()), child, Fcntl.stat(child), false, host, childrenBelowShared);
                    }
                }
            }
        }
        if (ownModeAndTime) {
            Fcntl.setTimes(dir, stat.mtimeSeconds(), stat.mtimeNanos(), where);
        }
    }

    /** The container's directory at {@code at}, made if missing; never a link's target. */
    private Fd directoryFor(Place at) {
        try {
            Dirents.mkdir(at.parent(), at.name(), 0755);
        } catch (LinuxException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
        try {
            return Dirents.openat(at.parent(), at.name(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        } catch (LinuxException e) {
            if (e.errno() != Errno.ENOTDIR && e.errno() != Errno.ELOOP) { // a link gives either, with O_DIRECTORY
                throw e;
            }
            try (Fd there = Dirents.openat(at.parent(), at.name(), O_PATH | O_NOFOLLOW | O_CLOEXEC, 0)) {
                if (Fcntl.stat(there).isSymlink()) {
                    throw new ContainerException(at.shown() + " in container " + id + " is a symbolic link to "
                            + ControlCharacters.escape(Fcntl.readlink(there)) + ", and copyTo does not merge a directory into a "
                            + "link below its target (docker cp refuses it too): remove the link in the container first, or copy "
                            + "to what it names");
                }
            }
            throw new LinuxException("mkdir(\"" + at.shown() + "\"): a file of that name is there", Errno.ENOTDIR);
        }
    }

    /**
     * A host file copyTo reads, non-blocking: in a directory a container shares read-write, root in the
     * container may hold a lease on it (F_SETLEASE), and a blocking open would wait out the kernel's lease
     * break time (45 s) for every file, beyond any timeout or interrupt.
     */
    private Fd openToRead(Fd item, String shown) {
        try {
            return Fcntl.open(item.procPath(), O_RDONLY | Fcntl.O_NONBLOCK | O_CLOEXEC, 0);
        } catch (LinuxException e) {
            if (e.errno() == Errno.EAGAIN) {
                throw new ContainerException("the host file copyTo would copy to " + shown + " in container " + id
                        + " is leased by another process (fcntl F_SETLEASE), as a container may do in a directory it shares "
                        + "read-write: copy from a directory no container can write", e);
            }
            throw e;
        }
    }

    /** Writes {@code content} as the file {@code target} in the container, with {@code mode}. */
    void write(byte[] content, String target, int mode) {
        if (target != null && target.endsWith("/")) {
            throw new IllegalArgumentException("container path \"" + target + "\" ends with \"/\", so it names a directory: "
                    + "give the path of the file to write, such as \"" + target + "file\"");
        }
        String relative = relative(target);
        String shown = "/" + relative;
        try (Fd root = root()) {
            makeDirectories(root, parentPath(relative));
            try (Fd parent = open(root, parentPath(relative), O_PATH | O_DIRECTORY)) {
                requireContainersOwn(parent, "/" + parentPath(relative));
                byte[] name = name(relative).getBytes(StandardCharsets.UTF_8);
                writeFile(parent, name, shown, mode, file -> {
                    for (int offset = 0; offset < content.length; offset += WRITE_CHUNK) {
                        Unistd.writeFully(file.number(), content, offset, Math.min(WRITE_CHUNK, content.length - offset));
                    }
                }).close();
            }
        } catch (LinuxException e) {
            throw new ContainerException("cannot write " + target + " in container " + id + ": " + e.getMessage() + whereThereIsRoom(e), e);
        }
    }

    /**
     * Copies the file or directory {@code source} of the container to {@code target} on the host (made,
     * or replaced; a file copied onto an existing directory goes into it, as with docker cp).
     */
    void copyFrom(String source, Path target) {
        requireHostPath(target);
        try (Fd root = root(); Fd item = open(root, relative(source), O_PATH | O_NOFOLLOW)) {
            Path absolute = target.toAbsolutePath().normalize();
            Path parent = absolute.getParent();
            if (parent == null) {
                throw new ContainerException("cannot copy " + source + " of container " + id + " onto the host's root /: "
                        + "give a path below it");
            }
            CopyOut.requireCopyable(item, source, id);
            CopiedTrees.requireNoLinkMadeByACopy(absolute);
            // The test's own path, its missing directories made as asked; no link a container may have made followed.
            HostPaths host = new HostPaths("cannot copy " + source + " of container " + id + " to " + target);
            try (HostPaths.Walked targetParent = host.openDirectory(parent, true);
                 Destination destination = destination(item, source, targetParent, absolute, host)) {
                CopiedTrees.add(destination.path());
                DeepWalk.run("containerized-copy-" + id, () -> {
                    byte[] name = destination.name();
                    new CopyOut(id, host, destination.directory(), source + " of container " + id)
                            .copy(item, source, destination.directory(), name, name, true, destination.belowShared());
                    return null;
                });
            }
        } catch (ContainerException e) {
            throw e;
        } catch (IOException e) {
            throw new ContainerException("cannot copy " + source + " of container " + id + " to " + target + ": " + e, e);
        } catch (LinuxException e) {
            throw new ContainerException("cannot copy " + source + " of container " + id + " to " + target + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new ContainerException("cannot copy " + source + " of container " + id + " to " + target + ": " + e, e);
        }
    }

    /** The bytes of the file {@code path} in the container, at most {@link #READ_LIMIT}. */
    byte[] read(String path) {
        // Looked at before it is opened (a device's open alone can act; a fifo's would wait for a writer),
        // then opened through that very look.
        try (Fd root = root(); Fd found = open(root, relative(path), O_PATH)) {
            Fcntl.FileStat stat = requireOwnRegularFile(found, path);
            if (stat.size() > READ_LIMIT) {
                throw tooLarge(path, stat.size() + " bytes");
            }
            try (Fd file = openChecked(found)) {
                // Counted again as the bytes come: the container may grow the file meanwhile.
                byte[] bytes = Unistd.readAtMost(file.number(), READ_LIMIT + 1);
                if (bytes.length > READ_LIMIT) {
                    throw tooLarge(path, "more than " + READ_LIMIT + " bytes by now");
                }
                return bytes;
            }
        } catch (LinuxException e) {
            throw new ContainerException("cannot read " + path + " in container " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * The first bytes (at most {@code count}) of the container's regular file {@code path}; empty where
     * there is none, or it cannot be read: for a message about a command that could not start, which
     * must not fail itself.
     */
    Optional<byte[]> firstBytes(String path, int count) {
        try (Fd root = root(); Fd found = openOrNull(root, relative(path), O_PATH)) {
            if (found == null) {
                return Optional.empty(); // routine along a PATH: no exception built for it
            }
            requireOwnRegularFile(found, path);
            try (Fd file = openChecked(found)) {
                return Optional.of(Unistd.readAtMost(file.number(), count));
            }
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /** {@code found}'s status, once it is known to be a regular file of the container's own (else refused). */
    private Fcntl.FileStat requireOwnRegularFile(Fd found, String path) {
        requireContainersOwn(found, path);
        Fcntl.FileStat stat = Fcntl.stat(found);
        if (!stat.isRegularFile()) {
            throw new ContainerException(path + " in container " + id + " is not a regular file");
        }
        return stat;
    }

    /**
     * {@code found} (an O_PATH descriptor of a regular file, checked as such) opened for reading, through
     * itself: nothing else is opened that the container may have swapped in meanwhile. Non-blocking and
     * without taking a terminal, whatever it is by then.
     */
    private static Fd openChecked(Fd found) {
        return Fcntl.open(found.procPath(), O_RDONLY | Fcntl.O_NONBLOCK | Fcntl.O_NOCTTY | O_CLOEXEC, 0);
    }

    private ContainerException tooLarge(String path, String holds) {
        return new ContainerException(path + " in container " + id + " holds " + holds + ", more than readFile's " + READ_LIMIT
                + ": use copyFrom(path, hostPath)");
    }

    /**
     * Refuses a file of the kernel's own filesystems (proc, sys, cgroupfs...), reached through a link the
     * container made (/app.log -> /proc/kallsyms): this JVM reads and writes with the host's privileges,
     * which such files answer to, not with the container's.
     */
    private void requireContainersOwn(Fd fd, String path) {
        requireContainersOwn(fd, path, id);
    }

    static void requireContainersOwn(Fd fd, String path, String id) {
        String kernelFilesystem = Mounts.kernelFilesystem(fd);
        if (kernelFilesystem != null) {
            throw new ContainerException(path + " in container " + id + " is on the kernel's " + kernelFilesystem
                    + " filesystem, which answers to the reader's privileges (this JVM's are the host's): readFile, copyFrom and "
                    + "copyTo move the container's own files; read or write it with exec(…), as the container may");
        }
    }

    /**
     * Where copyFrom puts its copy: the host directory, opened, the copy's path in it, and whether that is
     * below a directory a container was given to write.
     */
    private record Destination(Fd directory, Path path, byte[] name, boolean belowShared) implements AutoCloseable {
        @Override
        public void close() {
            directory.close();
        }
    }

    /**
     * {@code directory/name} as a host path, for the list of copied trees; {@code directory} itself where the
     * JVM's paths cannot hold that name (in the C locale, Java 17's cannot hold a character beyond ASCII).
     */
    private static Path pathIn(Path directory, String name) {
        try {
            return directory.resolve(name);
        } catch (java.nio.file.InvalidPathException e) {
            return directory;
        }
    }

    /**
     * Where {@code copyFrom} puts {@code item}: {@code target}, or into it when it is a directory and the
     * item is not one (docker cp's rule). A directory onto a file is refused, not a host file deleted.
     * Looked at through {@code parent}, the target's directory, without following a link.
     */
    private Destination destination(Fd item, String source, HostPaths.Walked parent, Path target, HostPaths host) {
        byte[] name = HostPaths.fileNameBytes(target);
        Fcntl.FileStat existing;
        Fd there = host.openInTree(parent.fd(), name, O_PATH, parent.belowShared());
        try (there) {
            existing = there == null ? null : Fcntl.stat(there);
        }
        boolean directory = Fcntl.stat(item).isDirectory();
        if (existing != null && existing.isDirectory() && !directory) {
            String itemName = name(relative(source));
            Fd into = host.openInTree(parent.fd(), name, O_RDONLY | O_DIRECTORY, parent.belowShared());
            if (into == null) {
                throw new LinuxException("open(" + target + ", removed meanwhile)", Errno.ENOENT);
            }
            boolean intoBelowShared;
            try {
                intoBelowShared = HostPaths.belowShared(parent.belowShared(), into, Fcntl.stat(into));
            } catch (RuntimeException e) {
                into.close();
                throw e;
            }
            try (Fd inside = host.openInTree(into, itemName.getBytes(StandardCharsets.UTF_8), O_PATH, intoBelowShared)) {
                if (inside != null && Fcntl.stat(inside).isDirectory()) {
                    throw new ContainerException("cannot copy " + source + " of container " + id + " into " + target + ": "
                            + target + "/" + itemName + " is a directory on the host, which a file does not replace; remove it "
                            + "first, or copy to another path");
                }
            } catch (RuntimeException e) {
                into.close();
                throw e;
            }
            return new Destination(into, pathIn(target, itemName), itemName.getBytes(StandardCharsets.UTF_8), intoBelowShared);
        }
        if (existing != null && !existing.isDirectory() && !existing.isSymlink() && directory) {
            throw new ContainerException("cannot copy the directory " + source + " of container " + id + " onto " + target
                    + ", which is a file on the host: remove it first, or copy to a directory or a new path");
        }
        return new Destination(Fcntl.openat(parent.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0), target, name, parent.belowShared());
    }

    /** The root, opened anew for one operation (which closes it), through the one held while it is. */
    private synchronized Fd root() {
        if (root.isClosed()) {
            throw new ContainerException("container " + id + " is closed: it has no root to copy from or to");
        }
        try {
            return Fcntl.open(root.procPath(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        } catch (LinuxException e) {
            throw new ContainerException("container " + id + " has no root to copy from or to (is it closed?): " + e.getMessage(), e);
        }
    }

    /**
     * The file the test bound into the container at {@code name} in {@code parent} ({@code shown} is its
     * path), opened to be written in place and truncated: never made, nor followed if a link.
     */
    private static Fd openBoundForWriting(Fd parent, byte[] name, String shown) {
        Fd file;
        try {
            file = Dirents.openat(parent, name, O_WRONLY | O_TRUNC | O_NOFOLLOW | Fcntl.O_NONBLOCK | O_CLOEXEC, 0);
        } catch (LinuxException e) {
            throw new LinuxException("open(" + shown + ") for writing", e.errno()); // the path, not a descriptor's number
        }
        try {
            Fcntl.FileStat stat = Fcntl.stat(file);
            if (!stat.isRegularFile()) {
                throw notRegular(shown, stat);
            }
            return file;
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Refuses what {@code stat} describes, at {@code shown}, unless it is a file or a link. */
    private static void requireReplaceable(Fcntl.FileStat stat, String shown) {
        if (!stat.isRegularFile() && !stat.isSymlink()) {
            throw notRegular(shown, stat);
        }
    }

    /** What is at {@code shown}, as {@code stat} describes it, is not a file copyTo writes. */
    private static LinuxException notRegular(String shown, Fcntl.FileStat stat) {
        String what = stat.isDirectory() ? "a directory"
                : "a " + (stat.type() == Fcntl.S_IFIFO ? "fifo" : stat.type() == Fcntl.S_IFSOCK ? "socket" : "device") + " the container made";
        return new LinuxException(shown + " is " + what + ", not a regular file, which copyTo does not replace: "
                + "remove it in the container first, or copy to another path; open(O_WRONLY)",
                stat.isDirectory() ? Errno.EISDIR : Errno.EINVAL);
    }

    /** mkdir -p inside the container, each level resolved in its root. */
    private void makeDirectories(Fd root, String relative) {
        if (relative.isEmpty()) {
            return;
        }
        List<String> names = InRoot.components(relative);
        for (int i = 1; i <= names.size(); i++) {
            String prefix = String.join("/", names.subList(0, i));
            try (Fd existing = openOrNull(root, prefix, O_PATH)) {
                if (existing != null) {
                    if (!Fcntl.stat(existing).isDirectory()) {
                        throw new LinuxException("mkdir(\"/" + prefix + "\"): a file of that name is there", Errno.ENOTDIR);
                    }
                    continue;
                }
            }
            try (Fd parent = i == 1 ? Fcntl.openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0)
                    : open(root, String.join("/", names.subList(0, i - 1)), O_PATH | O_DIRECTORY)) {
                Fcntl.mkdirat(parent, names.get(i - 1), 0755, "/" + prefix);
            }
        }
    }

    private static Fd open(Fd root, String relative, int flags) {
        return Fcntl.openat2(root, relative.isEmpty() ? "." : relative, flags | O_CLOEXEC, RESOLVE, "/" + relative);
    }

    private static Fd openOrNull(Fd root, String relative, int flags) {
        return Fcntl.openat2OrNull(root, relative.isEmpty() ? "." : relative, flags | O_CLOEXEC, RESOLVE, "/" + relative);
    }

    private static void unlinkIfThere(Fd parent, byte[] name) {
        try {
            Dirents.unlink(parent, name, 0);
        } catch (LinuxException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
    }

    /** An absolute container path as a path below its root; ".." is allowed (it cannot climb out). */
    static String relative(String path) {
        if (path == null || !path.startsWith("/") || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("container path \"" + path + "\" must be absolute, such as \"/etc/hosts\"");
        }
        return String.join("/", InRoot.components(path));
    }

    private static String parentPath(String relative) {
        int slash = relative.lastIndexOf('/');
        return slash < 0 ? "" : relative.substring(0, slash);
    }

    private static String name(String relative) {
        if (relative.isEmpty()) {
            throw new IllegalArgumentException("the container's root \"/\" itself cannot be replaced: copy into a path below it");
        }
        return relative.substring(relative.lastIndexOf('/') + 1);
    }
}
