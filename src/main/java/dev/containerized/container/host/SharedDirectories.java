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
                // Followed as the bind mount follows it; a file's bind (ENOTDIR) has no directory to put a link in.
                try (Fd directory = Fcntl.open(bind.source().toString(), Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0)) {
                    Fcntl.FileStat stat = Fcntl.stat(directory);
                    KNOWN.add(new Identity(stat.device(), stat.inode()));
                } catch (LinuxException notADirectory) {
                    // A file, or a source gone: the start fails on the latter.
                }
            }
        }
    }

    /** Whether {@code directory} is one of them (the top of one; below it, a walk from the top knows). */
    static boolean isOne(Fcntl.FileStat directory) {
        return KNOWN.contains(new Identity(directory.device(), directory.inode()));
    }
}
