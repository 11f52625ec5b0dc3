package dev.containerized.container.host;

import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;

import java.util.HashMap;
import java.util.Map;

/**
 * The host's device nodes a container's /dev gets as bind mounts (Docker's list), as O_PATH
 * descriptors. Opened by the container's thread inside its new mount namespace: a bind mount's source
 * must be a mount of the caller's own namespace (else EINVAL).
 */
final class HostDevices implements AutoCloseable {
    private final Map<String, Fd> nodes = new HashMap<>();

    HostDevices() {
        for (String name : RootfsMounts.DEVICES) {
            try {
                nodes.put(name, Fcntl.open("/dev/" + name, Fcntl.O_PATH | Fcntl.O_CLOEXEC, 0));
            } catch (LinuxException e) {
                if (e.errno() != Errno.ENOENT) {
                    close();
                    throw e;
                }
            }
        }
    }

    /** The node's descriptor, or null where the host has no such node. */
    Fd get(String name) {
        return nodes.get(name);
    }

    @Override
    public void close() {
        nodes.values().forEach(Fd::close);
    }
}
