package dev.containerized.container.host;

import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;

import java.nio.file.Files;
import java.nio.file.Path;
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
            if (Files.exists(Path.of("/dev", name))) {
                nodes.put(name, Fcntl.open("/dev/" + name, Fcntl.O_PATH | Fcntl.O_CLOEXEC, 0));
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
