package dev.containerized.container.host;

import dev.containerized.container.ContainerException;
import dev.containerized.internal.linux.Dirents;
import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.text.ControlCharacters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static dev.containerized.internal.linux.Fcntl.O_CLOEXEC;
import static dev.containerized.internal.linux.Fcntl.O_DIRECTORY;
import static dev.containerized.internal.linux.Fcntl.O_NOFOLLOW;
import static dev.containerized.internal.linux.Fcntl.O_PATH;

/**
 * The directories of a test's host path for copyTo and copyFrom (and a bind mount's source), opened one
 * name at a time from "/", as the kernel resolves a path, with one difference: a symbolic link below a
 * directory that a container was given to write, in this JVM or an earlier one ({@link SharedDirectories}),
 * is refused, not followed. A process of that container may have put it there, before the copy or during
 * it, to turn the copy onto any host file: this JVM copies as root. Links elsewhere are the test's own,
 * and are followed.
 * <p>
 * Whether the walk is below such a directory is known from the walk itself: it passed through the
 * directory's top (by device and inode, or its mark), and stays below it from then on, whatever the
 * container renames meanwhile (it cannot move anything out of what it shares) and however deep that
 * is. Once below, no link is followed, so a ".." can only come from a link of the test's outside, and
 * the walk counts as below until it ends (a ".." that climbs back out then refuses more than it must,
 * never less).
 * <p>
 * Below such a directory, a walk does not cross into another mount either, nor do the copies' walks of
 * the trees there ({@link #openInTree}): a host mount made there after the start is not in the
 * container's view (its bind is a private copy), so the container may rename the mount's directory, and
 * the mount moves along, to where the test's next copy or mount goes.
 */
final class HostPaths {
    /** As the kernel: more links than this in one path is a loop (ELOOP). */
    private static final int MAX_LINKS = 40;

    private final String use;

    /** What a walk opened, and whether it is a directory a container was given to write, or lies below one. */
    record Walked(Fd fd, boolean belowShared) implements AutoCloseable {
        @Override
        public void close() {
            fd.close();
        }
    }

    /** @param use what the path is for, as an error message names it ("cannot copy … to …", "mount …") */
    HostPaths(String use) {
        this.use = use;
    }

    /**
     * The directory {@code dir} (absolute) as an O_PATH descriptor; with {@code make}, the directories
     * missing on the way are made, as {@code mkdir -p} would.
     */
    Walked openDirectory(Path dir, boolean make) {
        boolean[] belowShared = new boolean[1];
        Fd fd = open(dir, make, false, belowShared);
        return new Walked(fd, belowShared[0]);
    }

    /**
     * What {@code path} (absolute) names, a directory or not, its last name followed too unless it is a link
     * below such a directory: a bind mount's source, which a container sharing its parent may have
     * replaced by a link to any host file before another container mounts it.
     */
    static Walked openSource(Path path, String use) {
        boolean[] belowShared = new boolean[1];
        Fd fd = new HostPaths(use).open(path, false, true, belowShared);
        return new Walked(fd, belowShared[0]);
    }

    /**
     * The entry {@code name} of {@code directory}, a host directory of a tree a copy walks by descriptors,
     * itself if a link; null if there is none. Below a shared directory ({@code belowShared}: see
     * {@link #belowShared}), an entry on another mount is refused (see the class comment).
     */
    Fd openInTree(Fd directory, byte[] name, int flags, boolean belowShared) {
        try {
            return Dirents.openBeneath(directory, name, flags | O_NOFOLLOW, belowShared ? Fcntl.RESOLVE_NO_XDEV : 0);
        } catch (LinuxException e) {
            if (e.errno() == Errno.EXDEV) {
                throw mountedThere(directory, new String(name, StandardCharsets.UTF_8));
            }
            throw e;
        }
    }

    /**
     * The last name of {@code path} as the bytes the filesystem has: a name read from a directory
     * ({@code Files.list}) need not be UTF-8, and {@code Path.toString()} turns such bytes into U+FFFD,
     * after which the name no longer opens; the path's URI keeps them, percent-encoded.
     */
    static byte[] fileNameBytes(Path path) {
        // Below /dev/null, which is no directory: toUri() looks whether a path is one (to end its URI in "/"),
        // and that look, as host root and through links, must not be of the test's path.
        String raw = Path.of("/dev/null").resolve(path.getFileName()).toUri().getRawPath();
        int end = raw.endsWith("/") && raw.length() > 1 ? raw.length() - 1 : raw.length(); // a directory's URI ends in "/"
        int start = raw.lastIndexOf('/', end - 1) + 1;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = start; i < end; i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < end) {
                bytes.write(Integer.parseInt(raw, i + 1, i + 3, 16));
                i += 2;
            } else {
                bytes.writeBytes(Character.toString(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toByteArray();
    }

    /** Whether the entry {@code child} of a tree ({@code stat} its status) is below a shared directory, its parent being so or not. */
    static boolean belowShared(boolean parentIs, Fd child, Fcntl.FileStat stat) {
        return parentIs || stat.isDirectory() && SharedDirectories.isOne(child, stat);
    }

    /** @param belowSharedAtEnd its one element set to whether the path ends below a directory a container was given to write */
    private Fd open(Path path, boolean make, boolean lastMayBeAFile, boolean[] belowSharedAtEnd) {
        Deque<String> names = new ArrayDeque<>();
        path.normalize().forEach(name -> names.add(name.toString()));
        Fd current = Fcntl.open("/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        try {
            boolean belowShared = SharedDirectories.isOne(current, Fcntl.stat(current));
            int links = 0;
            while (!names.isEmpty()) {
                String name = names.pollFirst();
                if (name.isEmpty() || name.equals(".")) {
                    continue;
                }
                Fd next = openEntry(current, name, belowShared);
                if (next == null && make) {
                    next = makeDirectory(current, name, belowShared);
                }
                if (next == null) {
                    throw new LinuxException("open(\"" + ControlCharacters.escape(name) + "\" in " + where(current) + ")", Errno.ENOENT);
                }
                Fcntl.FileStat stat;
                try {
                    stat = Fcntl.stat(next);
                } catch (RuntimeException e) {
                    next.close();
                    throw e;
                }
                if (stat.isSymlink()) {
                    String target;
                    try (Fd link = next) {
                        if (belowShared) {
                            throw madeByAContainer(current, name);
                        }
                        if (++links > MAX_LINKS) {
                            throw new LinuxException("open(" + path + ")", Errno.ELOOP);
                        }
                        target = Fcntl.readlink(link);
                    }
                    List<String> targetNames = new ArrayList<>();
                    Path.of(target).forEach(n -> targetNames.add(n.toString()));
                    for (int i = targetNames.size() - 1; i >= 0; i--) {
                        names.addFirst(targetNames.get(i));
                    }
                    if (target.startsWith("/")) {
                        Fd root = Fcntl.open("/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
                        current.close();
                        current = root;
                    }
                    continue;
                }
                if (!stat.isDirectory() && lastMayBeAFile && names.isEmpty()) {
                    current.close();
                    current = next;
                    continue;
                }
                if (!stat.isDirectory()) {
                    next.close();
                    throw new LinuxException("open(\"" + ControlCharacters.escape(name) + "\" in " + where(current) + ")", Errno.ENOTDIR);
                }
                current.close();
                current = next;
                belowShared = belowShared || SharedDirectories.isOne(current, stat);
            }
            belowSharedAtEnd[0] = belowShared;
            return current;
        } catch (RuntimeException e) {
            current.close();
            throw e;
        }
    }

    /**
     * The entry {@code name} of {@code directory}, itself if a link; null if there is none. Asked for as a
     * directory first, which an automount point needs to be mounted (an O_PATH open of anything else
     * leaves it alone); then as anything. Below a shared directory, not on another mount.
     */
    private Fd openEntry(Fd directory, String name, boolean belowShared) {
        // ".." climbs to what holds the directory: never into a mount a container could have moved there.
        boolean sameMount = belowShared && !name.equals("..");
        try {
            return openEntry(directory, name, O_PATH | O_DIRECTORY, sameMount);
        } catch (LinuxException e) {
            if (e.errno() != Errno.ENOTDIR && e.errno() != Errno.ELOOP) {
                throw e;
            }
            return openEntry(directory, name, O_PATH, sameMount);
        }
    }

    private Fd openEntry(Fd directory, String name, int flags, boolean sameMount) {
        return sameMount ? openInTree(directory, name.getBytes(StandardCharsets.UTF_8), flags, true)
                : Fcntl.openatOrNull(directory, name, flags | O_NOFOLLOW | O_CLOEXEC);
    }

    /** mkdir, by descriptor; another maker first is fine. The new directory, opened (null if it went meanwhile). */
    private Fd makeDirectory(Fd parent, String name, boolean belowShared) {
        try {
            Fcntl.mkdirat(parent, name, 0755, name);
        } catch (LinuxException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
        return openEntry(parent, name, belowShared);
    }

    private ContainerException madeByAContainer(Fd directory, String name) {
        return new ContainerException(use + ": " + ControlCharacters.escape(join(where(directory), name)) + " is a symbolic link "
                + "in a directory a container was given to write (a read-write bind), where a process of it may have made it: such a "
                + "link is never followed. Give the path without it (what the link names, if that is the one meant)");
    }

    private ContainerException mountedThere(Fd directory, String name) {
        return new ContainerException(use + ": " + ControlCharacters.escape(join(where(directory), name)) + " is a mount point "
                + "in a directory a container was given to write (a read-write bind), where a process of it may have moved a host "
                + "mount it cannot see (a rename moves the mount along): copies and mounts do not cross into such a mount. Mount "
                + "it outside that directory, or name a path that does not go through it");
    }

    /** Where {@code directory} is on the host now, as /proc names it, for a message. */
    private static String where(Fd directory) {
        try {
            return Files.readSymbolicLink(Path.of(directory.procPath())).toString();
        } catch (IOException e) {
            return "a directory too deep to name";
        }
    }

    private static String join(String directory, String name) {
        return directory.endsWith("/") ? directory + name : directory + "/" + name;
    }
}
