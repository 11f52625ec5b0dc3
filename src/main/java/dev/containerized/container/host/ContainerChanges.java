package dev.containerized.container.host;

import dev.containerized.container.Change;
import dev.containerized.container.ContainerException;
import dev.containerized.internal.linux.Dirents;
import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.text.ControlCharacters;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Set;

import static dev.containerized.internal.linux.Fcntl.O_CLOEXEC;
import static dev.containerized.internal.linux.Fcntl.O_NOFOLLOW;
import static dev.containerized.internal.linux.Fcntl.O_PATH;

/**
 * What a container changed in its root filesystem: its overlay's upper layer is exactly the diff. A
 * whiteout (a 0/0 character device) there is a deletion; anything else is an addition, or a change
 * where a lower layer has the same path. The mount points of the container's own filesystems are
 * left out, as docker diff leaves out its own.
 */
final class ContainerChanges {
    private final Fd upper;
    private final List<Path> lowerDirs;
    private final Set<String> mountPoints;

    ContainerChanges(Fd upper, List<Path> lowerDirs, Set<String> mountPoints) {
        this.upper = upper;
        this.lowerDirs = lowerDirs;
        this.mountPoints = mountPoints;
    }

    List<Change> list() {
        List<Change> changes = new ArrayList<>();
        List<Fd> layers = new ArrayList<>();
        try {
            for (Path lower : lowerDirs) {
                layers.add(Fcntl.open(lower.toString(), O_PATH | Fcntl.O_DIRECTORY | O_CLOEXEC, 0));
            }
            walk(layers, changes);
        } catch (LinuxException e) {
            throw new ContainerException("cannot read the container's upper layer: " + e.getMessage(), e);
        } finally {
            layers.forEach(Fd::close);
        }
        changes.sort((a, b) -> a.path().compareTo(b.path()));
        return Collections.unmodifiableList(changes);
    }

    /**
     * Walks the upper layer breadth-first, each directory opened by its path from the layer's top (never
     * through a link, names as bytes, text or not): no recursion and no descriptor per level, however
     * deep the container nested its directories. A path longer than PATH_MAX is refused: no test could
     * use it.
     */
    private void walk(List<Fd> layers, List<Change> changes) {
        Deque<byte[]> directories = new ArrayDeque<>();
        directories.add(new byte[0]);
        while (!directories.isEmpty()) {
            byte[] relative = directories.poll();
            try (Fd dir = openDirectoryOrNull(relative)) {
                if (dir == null) {
                    continue; // removed, or replaced by a file or a link, by the container meanwhile
                }
                for (Dirents.Entry entry : Dirents.list(dir)) {
                    byte[] child = join(relative, entry.name());
                    String path = "/" + new String(child, StandardCharsets.UTF_8);
                    if (mountPoints.contains(path)) {
                        continue;
                    }
                    try (Fd found = Dirents.openBeneath(dir, entry.name(), O_PATH | O_NOFOLLOW)) {
                        if (found == null) {
                            continue;
                        }
                        Fcntl.FileStat stat = Fcntl.stat(found);
                        if (stat.isWhiteout()) {
                            changes.add(new Change(Change.Kind.DELETED, path));
                            continue;
                        }
                        if (child.length + 1 >= Fcntl.PATH_MAX) {
                            throw new ContainerException("the container made a path longer than PATH_MAX (" + Fcntl.PATH_MAX + " bytes), "
                                    + "which changes() does not list, as no test could use it: "
                                    + ControlCharacters.escape(path.substring(0, 200)) + "…; look at it with exec(\"find\", …) in the container");
                        }
                        changes.add(new Change(inLowerLayers(layers, child) ? Change.Kind.CHANGED : Change.Kind.ADDED, path));
                        if (stat.isDirectory()) {
                            directories.add(child);
                        }
                    }
                }
            }
        }
    }

    private Fd openDirectoryOrNull(byte[] relative) {
        try {
            return Dirents.openBeneath(upper, relative, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY);
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENOTDIR || e.errno() == Errno.ELOOP) {
                return null;
            }
            throw e;
        }
    }

    private static byte[] join(byte[] parent, byte[] name) {
        if (parent.length == 0) {
            return name;
        }
        byte[] joined = java.util.Arrays.copyOf(parent, parent.length + 1 + name.length);
        joined[parent.length] = '/';
        System.arraycopy(name, 0, joined, parent.length + 1, name.length);
        return joined;
    }

    /**
     * Whether a read-only layer (top first) has {@code relative}, looked up without following the
     * layer's symlinks; a whiteout in a higher layer hides the lower ones.
     */
    private static boolean inLowerLayers(List<Fd> layers, byte[] relative) {
        for (Fd layer : layers) {
            try (Fd found = Dirents.openBeneath(layer, relative, O_PATH | O_NOFOLLOW)) {
                if (found != null) { // a new file, the usual case, is in no layer
                    return !Fcntl.stat(found).isWhiteout();
                }
            } catch (LinuxException e) {
                if (e.errno() != Errno.ENOTDIR && e.errno() != Errno.ELOOP && e.errno() != Errno.EXDEV) {
                    throw e;
                }
            }
        }
        return false;
    }
}
