package dev.containerized.container.host;

import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host directories this JVM's containers were given to write (the sources of read-write directory
 * binds), known by device and inode, for as long as the JVM lives: a link a container put there outlives
 * the container, and the directory may be renamed or reached by another path meanwhile. A copy's host
 * path is not resolved through links below them ({@link HostPaths}).
 */
final class SharedDirectories {
    private record Identity(long device, long inode) {
    }

    private static final Set<Identity> KNOWN = ConcurrentHashMap.newKeySet();

    private SharedDirectories() {
    }

    /** Remembers the read-write directory binds of {@code plan}, before its container can write to them. */
    static void remember(MountPlan plan) {
        for (MountPlan.UserMount mount : plan.mounts()) {
            if (mount instanceof MountPlan.Bind bind && !bind.readOnly()) {
                // Followed as the bind mount follows it, but for a link a container may have made (refused).
                try (Fd source = HostPaths.openSource(bind.source(), "mount " + bind)) {
                    Fcntl.FileStat stat = Fcntl.stat(source);
                    if (stat.isDirectory()) { // a file's bind has no directory to put a link in
                        KNOWN.add(new Identity(stat.device(), stat.inode()));
                    }
                } catch (LinuxException gone) {
                    // The start fails on it, where the mount is made.
                }
            }
        }
    }

    /** Whether {@code directory} is one of them (the top of one; below it, a walk from the top knows). */
    static boolean isOne(Fcntl.FileStat directory) {
        return KNOWN.contains(new Identity(directory.device(), directory.inode()));
    }
}
