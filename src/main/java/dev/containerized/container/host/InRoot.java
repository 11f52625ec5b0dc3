package dev.containerized.container.host;

import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;

import java.util.ArrayList;
import java.util.List;

import static dev.containerized.internal.linux.Fcntl.O_CLOEXEC;
import static dev.containerized.internal.linux.Fcntl.O_DIRECTORY;
import static dev.containerized.internal.linux.Fcntl.O_NOFOLLOW;
import static dev.containerized.internal.linux.Fcntl.O_PATH;

/**
 * Paths inside a container's root filesystem, opened so that nothing in that filesystem can send them
 * elsewhere. A root filesystem that is not ours (an image, a user's directory) may hold symlinks such
 * as {@code proc -> /etc} or {@code dev -> ../../..} (CVE-2019-16884, CVE-2023-27561 and kin): mount
 * targets are opened here as descriptors and mounted on through {@code /proc/thread-self/fd/N}.
 */
final class InRoot {
    private static final int DIRECTORY_MODE = 0755;
    private final Fd root;
    /** The root as messages name it: the merged directory on the host. */
    private final String shownAs;

    InRoot(Fd root, String shownAs) {
        this.root = root;
        this.shownAs = shownAs;
    }

    Fd root() {
        return root;
    }

    String show(String relative) {
        return shownAs + "/" + relative;
    }

    /**
     * A directory the container's own filesystems are mounted on ({@code proc}, {@code dev/pts} …): each
     * component must be a real directory. A missing one is made, a symlink in the way is replaced by a
     * directory (in the overlay's upper layer: the image is not touched), a file in the way is refused.
     */
    Fd systemDirectory(String relative) {
        Fd existing = existingDirectory(relative);
        if (existing != null) {
            return existing;
        }
        Fd current = Fcntl.openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        String walked = "";
        for (String name : components(relative)) {
            walked = walked.isEmpty() ? name : walked + "/" + name;
            Fd next;
            try {
                next = component(current, name, walked);
            } finally {
                current.close();
            }
            current = next;
        }
        return current;
    }

    /**
     * The usual case in one call: every component already a real directory, no symlink anywhere on the
     * way (RESOLVE_NO_SYMLINKS), nothing above the root. Null when something is missing (ENOENT), in
     * the way (ENOTDIR), a symlink (ELOOP) or outside (EXDEV): the walk then makes, replaces or refuses
     * it one component at a time, and names the problem.
     */
    private Fd existingDirectory(String relative) {
        try {
            return Fcntl.openat2(root, relative, O_PATH | O_DIRECTORY | O_CLOEXEC,
                    Fcntl.RESOLVE_NO_SYMLINKS | Fcntl.RESOLVE_BENEATH, "/" + relative);
        } catch (LinuxException e) {
            int errno = e.errno();
            if (errno == Errno.ENOENT || errno == Errno.ENOTDIR || errno == Errno.ELOOP || errno == Errno.EXDEV) {
                return null;
            }
            throw e;
        }
    }

    private Fd component(Fd parent, String name, String walked) {
        Fd fd = openNoFollow(parent, name);
        if (fd == null) {
            Fcntl.mkdirat(parent, name, DIRECTORY_MODE, show(walked));
            return Fcntl.openat(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        }
        int type = Fcntl.fileType(fd);
        if (type == Fcntl.S_IFDIR) {
            return fd;
        }
        fd.close();
        if (type != Fcntl.S_IFLNK) {
            throw new SetupException("mkdir " + show(walked) + ": " + Errno.name(Errno.EEXIST)
                    + " (a file that is not a directory is in the way)");
        }
        Fcntl.unlinkat(parent, name, 0, show(walked));
        Fcntl.mkdirat(parent, name, DIRECTORY_MODE, show(walked));
        return Fcntl.openat(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
    }

    /**
     * The target of a user's mount, {@code /opt/app}: the container's own symlinks are followed, as a
     * process inside would see them, but never out of its root (openat2 RESOLVE_IN_ROOT). Missing
     * directories are made; the last component is made as a directory or an empty file, to match the
     * source, and must be of that kind.
     */
    Fd userTarget(String absolute, boolean directory) {
        List<String> names = components(absolute);
        if (names.isEmpty()) {
            throw new SetupException("mount target " + absolute + " is the root itself: mount below it, such as /data");
        }
        makeMissing(names, directory, absolute, "mount target " + absolute, "mount on a path");
        Fd target = requireInRoot(String.join("/", names));
        int type = Fcntl.fileType(target);
        if (directory != (type == Fcntl.S_IFDIR)) {
            target.close();
            throw new SetupException("mount target " + absolute + " is " + (directory ? "not a directory" : "a directory")
                    + " in the container, but the source is " + (directory ? "a directory" : "a file")
                    + ": mount a " + (directory ? "directory on a directory" : "file on a file"));
        }
        return target;
    }

    /**
     * The directory {@code absolute} inside the root, made with its missing parents (root's, mode 0755) as
     * {@code docker run} makes an image's WorkingDir that its layers lack; the container's symlinks are
     * followed, never out of its root.
     */
    void makeDirectories(String absolute, String role) {
        makeMissing(components(absolute), true, absolute, role + " " + absolute, "use a path");
    }

    /** Makes each missing component of {@code names}: directories, and the last one a directory or an empty file. */
    private void makeMissing(List<String> names, boolean lastIsDirectory, String absolute, String what, String instead) {
        for (int i = 1; i <= names.size(); i++) {
            String prefix = String.join("/", names.subList(0, i));
            Fd existing = resolveInRoot(prefix);
            if (existing != null) {
                existing.close();
                continue;
            }
            String parent = String.join("/", names.subList(0, i - 1));
            try (Fd dir = parent.isEmpty() ? Fcntl.openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0) : requireInRoot(parent)) {
                refuseDanglingLink(dir, names.get(i - 1), "/" + prefix, what, instead);
                if (i < names.size() || lastIsDirectory) {
                    Fcntl.mkdirat(dir, names.get(i - 1), DIRECTORY_MODE, absolute);
                    // mkdir's mode passes through this JVM's umask (077 would shut a non-root user out).
                    try (Fd made = Fcntl.openat(dir, names.get(i - 1), Fcntl.O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)) {
                        Fcntl.chmod(made, DIRECTORY_MODE, absolute);
                    }
                } else {
                    Fcntl.createFileAt(dir, names.get(i - 1), absolute);
                }
            }
        }
    }

    /**
     * A symlink whose target does not exist inside the root: followed, it would lead nowhere inside, and
     * making the directory in its place would change the image's meaning. Said plainly, never followed.
     */
    private void refuseDanglingLink(Fd dir, String name, String path, String what, String instead) {
        try (Fd entry = openNoFollow(dir, name)) {
            if (entry != null && Fcntl.fileType(entry) == Fcntl.S_IFLNK) {
                throw new SetupException(what + ": " + path + " is a symlink whose target does not exist"
                        + " inside the container; " + instead + " that exists in the image, or make the link's target there");
            }
        }
    }

    /** An existing path inside the root, symlinks followed inside it; null when it does not exist. */
    Fd resolveInRoot(String relative) {
        return Fcntl.openat2OrNull(root, relative, O_PATH | O_CLOEXEC, Fcntl.RESOLVE_IN_ROOT | Fcntl.RESOLVE_NO_MAGICLINKS,
                "/" + relative);
    }

    private Fd requireInRoot(String relative) {
        Fd fd = resolveInRoot(relative);
        if (fd == null) {
            throw new SetupException("/" + relative + " vanished from the container's root while it was being set up");
        }
        return fd;
    }

    /**
     * A path of the kernel's own filesystems (proc, sys) below the root, never through a symlink: null
     * when absent, as for masked paths this kernel does not have.
     */
    Fd kernelPath(String relative) {
        try {
            return Fcntl.openat2OrNull(root, relative, O_PATH | O_NOFOLLOW | O_CLOEXEC,
                    Fcntl.RESOLVE_NO_SYMLINKS | Fcntl.RESOLVE_BENEATH, "/" + relative);
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENOTDIR) {
                return null;
            }
            throw e;
        }
    }

    private static Fd openNoFollow(Fd parent, String name) {
        try {
            return Fcntl.openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENOENT) {
                return null;
            }
            throw e;
        }
    }

    static List<String> components(String path) {
        List<String> names = new ArrayList<>();
        for (String name : path.split("/")) {
            if (!name.isEmpty() && !name.equals(".")) {
                names.add(name);
            }
        }
        return names;
    }
}
