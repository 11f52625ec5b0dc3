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
 * <p>
 * The list is bounded: at most {@value #MAX_ENTRIES} entries and {@value #MAX_PATH_BYTES} bytes of paths
 * (at most twice that in heap, as Strings). Directory entries cost the container far less (a little
 * of its memory, or only disk, with the layer on a disk state directory), so without a bound a container that made a million names deep in its tree took
 * the test JVM's heap (attack run 6, F4); beyond it, {@link #list()} refuses with a ContainerException.
 */
final class ContainerChanges {
    static final int MAX_ENTRIES = 100_000;
    static final long MAX_PATH_BYTES = 64L * 1024 * 1024;

    private final Fd upper;
    private final List<Path> lowerDirs;
    private final Set<String> mountPoints;
    private final int maxEntries;
    private final long maxPathBytes;
    private long pathBytes;

    ContainerChanges(Fd upper, List<Path> lowerDirs, Set<String> mountPoints) {
        this(upper, lowerDirs, mountPoints, MAX_ENTRIES, MAX_PATH_BYTES);
    }

    /** With other bounds than {@link #MAX_ENTRIES} and {@link #MAX_PATH_BYTES}: for tests. */
    ContainerChanges(Fd upper, List<Path> lowerDirs, Set<String> mountPoints, int maxEntries, long maxPathBytes) {
        this.upper = upper;
        this.lowerDirs = lowerDirs;
        this.mountPoints = mountPoints;
        this.maxEntries = maxEntries;
        this.maxPathBytes = maxPathBytes;
    }

    List<Change> list() {
        pathBytes = 0;
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
                    byte[] child = Dirents.childPath(relative, entry.name());
                    String path = "/" + new String(child, StandardCharsets.UTF_8);
                    if (mountPoints.contains(path)) {
                        continue;
                    }
                    try (Fd found = Dirents.openBeneath(dir, entry.name(), O_PATH | O_NOFOLLOW)) {
                        if (found == null) {
                            continue;
                        }
                        Fcntl.FileStat stat = Fcntl.stat(found);
                        countAgainstBounds(changes.size() + 1, child.length + 1);
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

    /** Refuses the next entry, the {@code entries}-th, when it would take the list past a bound. */
    private void countAgainstBounds(int entries, int bytes) {
        pathBytes += bytes;
        if (entries > maxEntries || pathBytes > maxPathBytes) {
            String bound = entries > maxEntries ? "more than " + maxEntries + " entries"
                    : "more than " + maxPathBytes + " bytes of paths (" + entries + " entries so far)";
            throw new ContainerException("the container changed " + bound + " in its root filesystem, more than changes() lists,"
                    + " so that the list cannot take this JVM's heap; list the directory the test needs in the container instead,"
                    + " such as exec(\"find\", \"/var/lib/app\"), or read its files with readFile");
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
