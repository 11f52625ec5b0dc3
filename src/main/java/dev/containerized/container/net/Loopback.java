package dev.containerized.container.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** 127.0.0.1, on the host and in a container alike: the only address either side of a forwarder uses. */
final class Loopback {
    static final InetAddress ADDRESS = address();
    /** Listen backlog of every listener made here: room for a burst of concurrent connections. */
    static final int BACKLOG = 512;

    private Loopback() {
    }

    static InetSocketAddress port(int port) {
        return new InetSocketAddress(ADDRESS, port);
    }

    /** A TCP port number, or an IllegalArgumentException that says what one is. */
    static int check(int port, String what) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + " " + port + " is not a TCP port: use 1 to 65535");
        }
        return port;
    }

    private static InetAddress address() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are an IPv4 address", e);
        }
    }
}
