package dev.containerized.container;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A mount in a container, as {@code docker run -v} and {@code --tmpfs} give one: a host file or
 * directory bound at a container path (read-only unless asked otherwise), or a tmpfs of a given size.
 *
 * <pre>{@code
 * ContainerSpec.builder()
 *     .mount(Mount.bind(Path.of("target/app"), "/opt/app"))          // read-only
 *     .mount(Mount.bind(tempDir, "/work").readWrite())               // the test reads what it wrote
 *     .mount(Mount.tmpfs("/cache", "64m"))
 * }</pre>
 *
 * The source is resolved on the host (a relative path against the working directory, which under
 * Maven is the project's); the target inside the container, following the container's own symlinks
 * but never out of its root. Targets under /proc, /dev and /sys are refused: those are the kernel's.
 */
public final class Mount {
    private static final Set<String> KERNEL_TREES = Set.of("/proc", "/dev", "/sys");

    /** A bind mount's host path, or empty for a tmpfs. */
    private final Optional<Path> source;
    private final String target;
    private final boolean readOnly;
    private final long sizeBytes;

    private Mount(Optional<Path> source, String target, boolean readOnly, long sizeBytes) {
        this.source = source;
        this.target = target;
        this.readOnly = readOnly;
        this.sizeBytes = sizeBytes;
    }

    /** The host file or directory {@code source} at {@code target} in the container, read-only. */
    public static Mount bind(Path source, String target) {
        if (source == null) {
            throw new IllegalArgumentException("bind mount on " + target + " needs a source: a host file or directory");
        }
        Path absolute = source.toAbsolutePath().normalize();
        if (!Files.exists(absolute)) {
            throw new IllegalArgumentException("bind mount source " + absolute + " does not exist: give an existing host file or "
                    + "directory (a relative path is taken from " + Path.of("").toAbsolutePath() + ")");
        }
        return new Mount(Optional.of(absolute), checkTarget(target), true, 0);
    }

    /** A tmpfs of at most {@code size} ({@code "64m"}) at {@code target}; it counts against the memory limit. */
    public static Mount tmpfs(String target, String size) {
        return new Mount(Optional.empty(), checkTarget(target), false, MemorySize.parseBytes(size));
    }

    /** The same bind mount, writable from inside: what the container writes appears on the host. */
    public Mount readWrite() {
        requireBind("readWrite()");
        return new Mount(source, target, false, 0);
    }

    /** The same bind mount, read-only (the default). */
    public Mount readOnly() {
        requireBind("readOnly()");
        return new Mount(source, target, true, 0);
    }

    public Optional<Path> source() {
        return source;
    }

    public String target() {
        return target;
    }

    public boolean isReadOnly() {
        return readOnly;
    }

    public boolean isTmpfs() {
        return source.isEmpty();
    }

    /** A tmpfs's size in bytes; 0 for a bind mount. */
    public long sizeBytes() {
        return sizeBytes;
    }

    private void requireBind(String call) {
        if (isTmpfs()) {
            throw new IllegalArgumentException(call + " is for bind mounts; the tmpfs on " + target + " is always writable");
        }
    }

    /** An absolute, normalized path inside the container, away from the kernel's trees and the root itself. */
    static String checkTarget(String target) {
        if (target == null || target.isEmpty()) {
            throw new IllegalArgumentException("a mount needs a target: an absolute path inside the container, such as \"/data\"");
        }
        if (target.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("mount target \"" + target.replace("\0", "\\0") + "\" holds a NUL byte");
        }
        if (!target.startsWith("/")) {
            throw new IllegalArgumentException("mount target \"" + target + "\" is relative: give an absolute path inside the "
                    + "container, such as \"/" + target + "\"");
        }
        // Normalized as a string, not by Path.of: a container path is not the host's, and in the C locale
        // Java 17's paths cannot hold a character beyond ASCII at all.
        StringBuilder names = new StringBuilder();
        for (String name : target.split("/")) {
            if (name.equals("..")) {
                throw new IllegalArgumentException("mount target \"" + target + "\" climbs with \"..\": give the plain absolute path");
            }
            if (!name.isEmpty() && !name.equals(".")) {
                names.append('/').append(name);
            }
        }
        String normalized = names.isEmpty() ? "/" : names.toString();
        if (normalized.equals("/")) {
            throw new IllegalArgumentException("mount target \"/\" is the container's root itself: mount below it, such as \"/data\"");
        }
        for (String tree : KERNEL_TREES) {
            if (normalized.equals(tree) || normalized.startsWith(tree + "/")) {
                throw new IllegalArgumentException("mount target " + normalized + " is inside " + tree
                        + ", which belongs to the kernel and the container runtime: mount elsewhere, such as /data");
            }
        }
        return normalized;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Mount m && source.equals(m.source) && target.equals(m.target) && readOnly == m.readOnly
                && sizeBytes == m.sizeBytes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, target, readOnly, sizeBytes);
    }

    /** As {@code docker run} would write it: {@code /host:/target:ro} or {@code tmpfs /target size=64m}. */
    @Override
    public String toString() {
        return source.map(s -> s + ":" + target + (readOnly ? ":ro" : ":rw")).orElse("tmpfs " + target + " size=" + sizeBytes);
    }
}
