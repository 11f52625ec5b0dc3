package dev.containerized.rootfs;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An image ready to be a container's root filesystem: unpacked, read-only layer directories to stack
 * as overlay lower directories, and the image's config.
 *
 * @param lowerDirsTopFirst the order of overlay's {@code lowerdir=} option: the image's top layer first.
 *                          Never more than fit in a mount option page: see {@link #lowerdirOption()}.
 *                          The directories are shared by every container and image using them: mount
 *                          them read-only (as overlay lower directories do), never write into them.
 */
public record ResolvedImage(List<Path> lowerDirsTopFirst, ImageConfig config) {
    public ResolvedImage {
        lowerDirsTopFirst = List.copyOf(lowerDirsTopFirst);
        if (lowerDirsTopFirst.isEmpty()) {
            throw new IllegalArgumentException("an image needs at least one layer directory");
        }
    }

    /** {@code lowerdir=TOP:…:BOTTOM}, with ':', ',' and '\' in paths escaped as overlayfs reads them. */
    public String lowerdirOption() {
        return "lowerdir=" + joinedLowerDirs(lowerDirsTopFirst);
    }

    static String joinedLowerDirs(List<Path> dirs) {
        return dirs.stream().map(d -> escape(d.toString())).collect(Collectors.joining(":"));
    }

    private static String escape(String path) {
        return path.replace("\\", "\\\\").replace(":", "\\:").replace(",", "\\,");
    }
}
