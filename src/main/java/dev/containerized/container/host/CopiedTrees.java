package dev.containerized.container.host;

import dev.containerized.container.ContainerException;
import dev.containerized.internal.text.ControlCharacters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host paths that copyFrom made in this JVM. What is below them came from a container, its symbolic
 * links included, which point wherever the container chose: a later copyFrom whose path runs through one
 * of those links would write there, so it is refused. (Links of the test's own, elsewhere in the path,
 * are followed as usual.)
 */
final class CopiedTrees {
    private static final Set<Path> TREES = ConcurrentHashMap.newKeySet();

    private CopiedTrees() {
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
            if (Files.isSymbolicLink(ancestor) && madeByACopy(ancestor)) {
                String pointsTo;
                try {
                    pointsTo = ControlCharacters.escape(Files.readSymbolicLink(ancestor).toString());
                } catch (IOException e) {
                    pointsTo = "?";
                }
                throw new ContainerException("cannot copy to " + target + ": " + ancestor + " is a symbolic link to " + pointsTo
                        + " that an earlier copyFrom brought out of a container, which is not followed on the host: "
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
