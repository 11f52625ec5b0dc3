package dev.containerized.container.host;

import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.MountInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether a mount the calling thread just made has mounts below it, from the thread's own mount table
 * ({@code /proc/thread-self/mountinfo}: the container thread's namespace, not the host's), so what is
 * checked is what the container got, whatever the host did meanwhile.
 */
final class Submounts {
    private Submounts() {
    }

    /** Whether the topmost mount at {@code mounted} (its root, opened) has any mount below it. */
    static boolean below(Fd mounted) {
        try {
            String mountPoint = Files.readSymbolicLink(Path.of(mounted.procPath())).toString();
            List<MountInfo> mounts = MountInfo.parse(Files.readString(Path.of("/proc/thread-self/mountinfo")));
            // The last line for a mount point is its topmost mount.
            String id = null;
            for (MountInfo mount : mounts) {
                if (mount.mountPoint().equals(mountPoint)) {
                    id = mount.id();
                }
            }
            if (id == null) {
                throw new IllegalStateException("no mount at " + mountPoint + " in /proc/thread-self/mountinfo");
            }
            String top = id;
            return mounts.stream().anyMatch(mount -> mount.parentId().equals(top));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/thread-self/mountinfo", e);
        }
    }
}
