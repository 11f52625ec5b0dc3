package dev.containerized.container.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The TCP ports something listens on in a network namespace, from {@code /proc/<pid>/net/tcp} and
 * {@code tcp6} of a process in it. Reading them disturbs nobody: a wait that connected instead would
 * use up the one connection of a server such as {@code nc -l}.
 */
public final class ListeningPorts {
    /** st of a socket in LISTEN state (include/net/tcp_states.h). */
    private static final String LISTEN = "0A";

    private ListeningPorts() {
    }

    /** The ports with a listening socket, on any address, in the network namespace of {@code pid}. */
    public static Set<Integer> of(long pid) {
        return in(Path.of("/proc", Long.toString(pid), "net"));
    }

    /** The same from a {@code net} directory of /proc, such as {@code /proc/self/net}. */
    public static Set<Integer> in(Path procNet) {
        Set<Integer> ports = new HashSet<>();
        for (String table : List.of("tcp", "tcp6")) {
            try {
                for (String line : Files.readAllLines(procNet.resolve(table))) {
                    addIfListening(line, ports);
                }
            } catch (NoSuchFileException e) {
                // No IPv6 in this kernel (tcp6), or the process is gone: nothing listens there.
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot read " + procNet.resolve(table), e);
            }
        }
        return ports;
    }

    /** {@code sl local_address rem_address st ...}: the local address ends in ":PORT" in hex. */
    private static void addIfListening(String line, Set<Integer> ports) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length < 4 || !fields[3].equals(LISTEN)) {
            return;
        }
        String local = fields[1];
        int colon = local.lastIndexOf(':');
        if (colon > 0) {
            ports.add(Integer.parseInt(local.substring(colon + 1), 16));
        }
    }
}
