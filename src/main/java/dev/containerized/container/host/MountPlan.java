package dev.containerized.container.host;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * What a container's filesystem is made of, as the mount steps need it: checked already (paths
 * absolute, sources present, targets away from /proc, /dev and /sys).
 *
 * @param lowerDirsTopFirst the read-only layers, the top one first, as overlay's lowerdir lists them
 * @param readOnlyRoot      whether the root itself refuses writes (tmpfs and read-write mounts still take them)
 * @param mounts            the user's bind and tmpfs mounts, in order
 * @param writableLayer     where the overlay's upper layer is kept
 * @param writableLayerBytes the size of the writable layer's tmpfs, where it is in memory: held under the memory
 *                           limit ({@link MemoryBackedSizes}), the kernel's default (half the RAM) without one
 */
record MountPlan(List<Path> lowerDirsTopFirst, boolean readOnlyRoot, List<UserMount> mounts,
                 long tmpSizeBytes, long runSizeBytes, long shmSizeBytes, WritableLayer writableLayer, OptionalLong writableLayerBytes) {
    MountPlan {
        lowerDirsTopFirst = List.copyOf(lowerDirsTopFirst);
        mounts = List.copyOf(mounts);
    }

    sealed interface UserMount permits Bind, Tmpfs {
        String target();
    }

    record Bind(Path source, String target, boolean readOnly) implements UserMount {
        @Override
        public String toString() {
            return source + " on " + target + (readOnly ? " (read-only)" : "");
        }
    }

    record Tmpfs(String target, long sizeBytes) implements UserMount {
        @Override
        public String toString() {
            return "tmpfs on " + target;
        }
    }
}
