package dev.containerized.container.host;

import dev.containerized.container.Change;
import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
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
            walk(upper, "", layers, changes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the container's upper layer: " + e, e);
        } finally {
            layers.forEach(Fd::close);
        }
        changes.sort((a, b) -> a.path().compareTo(b.path()));
        return Collections.unmodifiableList(changes);
    }

    private void walk(Fd dir, String relative, List<Fd> layers, List<Change> changes) throws IOException {
        for (String name : ContainerFiles.list(dir)) {
            String child = relative.isEmpty() ? name : relative + "/" + name;
            if (mountPoints.contains("/" + child)) {
                continue;
            }
            try (Fd entry = Fcntl.openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0)) {
                Fcntl.FileStat stat = Fcntl.stat(entry);
                if (stat.isWhiteout()) {
                    changes.add(new Change(Change.Kind.DELETED, "/" + child));
                    continue;
                }
                changes.add(new Change(inLowerLayers(layers, child) ? Change.Kind.CHANGED : Change.Kind.ADDED, "/" + child));
                if (stat.isDirectory()) {
                    walk(entry, child, layers, changes);
                }
            }
        }
    }

    /**
     * Whether a read-only layer (top first) has {@code relative}, looked up without following the
     * layer's symlinks; a whiteout in a higher layer hides the lower ones.
     */
    private static boolean inLowerLayers(List<Fd> layers, String relative) {
        for (Fd layer : layers) {
            try (Fd found = Fcntl.openat2OrNull(layer, relative, O_PATH | O_NOFOLLOW | O_CLOEXEC,
                         Fcntl.RESOLVE_BENEATH | Fcntl.RESOLVE_NO_SYMLINKS, relative)) {
                if (found != null) { // a new file, the usual case, is in no layer
                    return !Fcntl.stat(found).isWhiteout();
                }
            } catch (LinuxException e) {
                if (e.errno() != Errno.ENOENT && e.errno() != Errno.ENOTDIR && e.errno() != Errno.ELOOP && e.errno() != Errno.EXDEV) {
                    throw e;
                }
            }
        }
        return false;
    }
}
