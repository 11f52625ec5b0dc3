package dev.containerized.container.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The TCP ports something listens on, reachable at 127.0.0.1, in a network namespace: from
 * {@code /proc/<pid>/net/tcp} and {@code tcp6} of a process in it, sockets in LISTEN state bound to
 * 127.0.0.1 (or another 127.x address), to every address (0.0.0.0, or :: which takes IPv4 too), or to
 * ::ffff:127.0.0.1. One bound to ::1 alone is left out: a connection to 127.0.0.1 would not reach it.
 * Reading the tables disturbs nobody: a wait that connected instead would use up the one connection of
 * a server such as {@code nc -l}.
 */
public final class ListeningPorts {
    /** st of a socket in LISTEN state (include/net/tcp_states.h). */
    private static final String LISTEN = "0A";

    private ListeningPorts() {
    }

    /** The ports with a listening socket reachable at 127.0.0.1 in the network namespace of {@code pid}. */
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

    /**
     * {@code sl local_address rem_address st ...}: the local address is "ADDRESS:PORT" in hex, the
     * address as 32-bit words in host order (127.0.0.1 is 0100007F on a little-endian machine).
     */
    private static void addIfListening(String line, Set<Integer> ports) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length < 4 || !fields[3].equals(LISTEN)) {
            return;
        }
        String local = fields[1];
        int colon = local.lastIndexOf(':');
        if (colon > 0 && reachableAtLoopback(local.substring(0, colon))) {
            ports.add(Integer.parseInt(local.substring(colon + 1), 16));
        }
    }

    private static boolean reachableAtLoopback(String address) {
        if (address.length() == 8) {
            return address.equals("00000000") || isLoopback4(address);
        }
        return address.equals("0".repeat(32))
                || (address.startsWith("0000000000000000FFFF0000") && isLoopback4(address.substring(24)));
    }

    /** 127.x.y.z: its first byte is the word's lowest, printed last on little-endian machines, first on big-endian. */
    private static boolean isLoopback4(String word) {
        return java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN ? word.endsWith("7F") : word.startsWith("7F");
    }
}
