package dev.containerized.container.host;

import dev.containerized.container.ContainerException;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.linux.Xattrs;
import dev.containerized.internal.text.ControlCharacters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What copyFrom brought out: the container's symbolic links among it point wherever the container
 * chose, and a later copyFrom whose path runs through one would write there, so it is refused. Each link
 * a copy makes carries an extended attribute saying so (trusted.*, root's: no container and no other
 * host user can set it), which later JVMs see too; where the filesystem keeps none, this JVM remembers
 * the paths it copied to. Links of the test's own, elsewhere in the path, are followed as usual.
 */
final class CopiedTrees {
    private static final Set<Path> TREES = ConcurrentHashMap.newKeySet();

    /** The attribute on each link a copy made. */
    static final String MARK = "trusted.containerized.copied-link";

    private CopiedTrees() {
    }

    /** Marks the link {@code name} of {@code dir}, just made by a copy; a filesystem without the attributes keeps none. */
    static void mark(Fd dir, byte[] name) {
        byte[] prefix = (dir.procPath() + "/").getBytes(StandardCharsets.US_ASCII);
        byte[] path = java.util.Arrays.copyOf(prefix, prefix.length + name.length);
        System.arraycopy(name, 0, path, prefix.length, name.length);
        try {
            Xattrs.set(path, MARK, "1");
        } catch (LinuxException unsupported) {
            // EOPNOTSUPP, EPERM on some filesystems: this JVM's own list still knows the tree.
        }
    }

    /** {@code tree} (absolute, its parent existing) and everything below it came from a container. */
    static void add(Path tree) {
        TREES.add(real(tree));
    }

    /** The path by its parent's real path, so that another spelling of it (through the test's own links) is known too. */
    private static Path real(Path path) {
        Path parent = path.getParent();
        if (parent == null || path.getFileName() == null) {
            return path;
        }
        try {
            return parent.toRealPath().resolve(path.getFileName());
        } catch (IOException e) {
            return path;
        }
    }

    /** Refuses {@code target} (absolute, normalized) when one of its ancestors is a symbolic link that a copy made. */
    static void requireNoLinkMadeByACopy(Path target) {
        for (Path ancestor = target.getParent(); ancestor != null; ancestor = ancestor.getParent()) {
            if (Files.isSymbolicLink(ancestor) && (Xattrs.has(ancestor.toString(), MARK) || madeByACopy(ancestor))) {
                String pointsTo;
                try {
                    pointsTo = ControlCharacters.escape(Files.readSymbolicLink(ancestor).toString());
                } catch (IOException e) {
                    pointsTo = "?";
                }
                throw new ContainerException("cannot copy to " + target + ": " + ancestor + " is a symbolic link to " + pointsTo
                        + " that a copyFrom brought out of a container, which is not followed on the host: "
                        + "copy to a path without it");
            }
        }
    }

    private static boolean madeByACopy(Path path) {
        for (Path p = real(path); p != null; p = p.getParent()) {
            if (TREES.contains(p)) {
                return true;
            }
        }
        return false;
    }
}
