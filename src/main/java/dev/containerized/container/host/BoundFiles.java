package dev.containerized.container.host;

import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;

import java.util.HashMap;
import java.util.Map;

/**
 * The host files a test bound into a container, by the path it bound each at: what copyTo may write in
 * place. A mount point at another path is one the container moved there (it may rename the directory
 * that holds one), and a file behind it is not the container's to have written by this JVM, root on the host.
 */
final class BoundFiles {
    private record FileId(long device, long inode) {
    }

    private final Map<String, FileId> byTarget;

    private BoundFiles(Map<String, FileId> byTarget) {
        this.byTarget = Map.copyOf(byTarget);
    }

    /** The plan's binds of regular files, each as its source is now: the file its mount shows. */
    static BoundFiles of(MountPlan plan) {
        Map<String, FileId> byTarget = new HashMap<>();
        for (MountPlan.UserMount mount : plan.mounts()) {
            if (mount instanceof MountPlan.Bind bind) {
                try (Fd source = Fcntl.open(bind.source().toString(), Fcntl.O_PATH | Fcntl.O_CLOEXEC, 0)) {
                    Fcntl.FileStat stat = Fcntl.stat(source);
                    if (stat.isRegularFile()) {
                        byTarget.put(bind.target(), new FileId(stat.device(), stat.inode()));
                    }
                } catch (LinuxException gone) {
                    // removed on the host since: nothing of this JVM's to write in place there
                }
            }
        }
        return new BoundFiles(byTarget);
    }

    /** Whether {@code stat}, a mount point's, is the file the test bound at {@code path} (absolute, in the container). */
    boolean isBoundAt(String path, Fcntl.FileStat stat) {
        FileId bound = byTarget.get(path);
        return bound != null && bound.device() == stat.device() && bound.inode() == stat.inode();
    }
}
