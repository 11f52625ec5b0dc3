package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;

/**
 * sys/socket.h, netinet/in.h and netinet/tcp.h for IPv4 TCP sockets on 127.0.0.1: what a relay between
 * two network namespaces needs, on descriptors of its own (a java.nio channel does not give its
 * descriptor away, and splice(2) needs it). Sockets are non-blocking: calls that would block say so in
 * their return value, never with an exception, since a relay meets that case all the time.
 */
public final class InetSockets {
    public static final int EINPROGRESS = 115;
    public static final int EADDRINUSE = 98;
    private static final int SOCK_NONBLOCK = Fcntl.O_NONBLOCK;
    private static final int SOL_SOCKET = 1;
    private static final int SO_REUSEADDR = 2;
    private static final int SO_LINGER = 13;
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_NODELAY = 1;
    private static final int SHUT_WR = 1;
    /** sizeof(struct sockaddr_in). */
    private static final int SOCKADDR_IN = 16;
    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    private InetSockets() {
    }

    /** socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC), with TCP_NODELAY, as a relay wants it. */
    public static Fd tcp() {
        Fd socket = Sockets.socket(Sockets.AF_INET, Sockets.SOCK_STREAM | SOCK_NONBLOCK);
        setInt(socket, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
        return socket;
    }

    /** A listening socket on 127.0.0.1:{@code port} (0 for a port the kernel picks), non-blocking. */
    public static Fd listen(int port, int backlog) {
        Fd socket = tcp();
        try {
            setInt(socket, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
            byte[] address = loopback(port);
            Libc.check(() -> C.bind(socket.number(), address, SOCKADDR_IN), "bind(127.0.0.1:" + port + ")");
            Libc.check(() -> C.listen(socket.number(), backlog), "listen(127.0.0.1:" + port + ")");
            return socket;
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The port a socket is bound to (getsockname). */
    public static int localPort(Fd socket) {
        byte[] address = new byte[SOCKADDR_IN];
        int[] length = {SOCKADDR_IN};
        Libc.check(() -> C.getsockname(socket.number(), address, length), "getsockname(" + socket + ")");
        return ((address[2] & 0xff) << 8) | (address[3] & 0xff);
    }

    /** accept4(2), non-blocking and close-on-exec; null when no connection is waiting. */
    public static Fd accept(Fd listener) {
        int fd = C.accept4(listener.number(), null, null, SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC);
        if (fd >= 0) {
            return Fd.of(fd);
        }
        int errno = Native.getLastError();
        if (errno == Errno.EAGAIN || errno == Errno.EINTR || errno == Errno.ECONNABORTED) {
            return null;
        }
        throw new LinuxException("accept4(" + listener + ")", errno);
    }

    /**
     * Starts connecting to 127.0.0.1:{@code port}: true when connected at once, false when under way
     * (the socket turns writable when connected, and reports an error with a hang-up when refused).
     */
    public static boolean connect(Fd socket, int port) {
        if (C.connect(socket.number(), loopback(port), SOCKADDR_IN) == 0) {
            return true;
        }
        int errno = Native.getLastError();
        if (errno == EINPROGRESS) {
            return false;
        }
        throw new LinuxException("connect(127.0.0.1:" + port + ")", errno);
    }

    /** shutdown(SHUT_WR): the peer reads end of file, and may still answer. */
    public static void shutdownOutput(Fd socket) {
        Libc.check(() -> C.shutdown(socket.number(), SHUT_WR), "shutdown(" + socket + ", SHUT_WR)");
    }

    /** Closes with a reset (SO_LINGER 0), as the kernel answers a connection to a closed port. */
    public static void reset(Fd socket) {
        if (socket.isClosed()) {
            return;
        }
        try {
            C.setsockopt(socket.number(), SOL_SOCKET, SO_LINGER, new int[] {1, 0}, 8);
        } catch (LastErrorException ignored) {
            // Not connected: a plain close is all there is.
        }
        socket.close();
    }

    private static void setInt(Fd socket, int level, int option, int value, String name) {
        Libc.check(() -> C.setsockopt(socket.number(), level, option, new int[] {value}, 4), "setsockopt(" + name + ")");
    }

    /** struct sockaddr_in for 127.0.0.1:port: family in host order, port and address in network order. */
    private static byte[] loopback(int port) {
        byte[] address = new byte[SOCKADDR_IN];
        address[0] = (byte) Sockets.AF_INET; // little-endian on both supported architectures
        address[2] = (byte) (port >> 8);
        address[3] = (byte) port;
        System.arraycopy(LOOPBACK, 0, address, 4, 4);
        return address;
    }

    private static final class C {
        static {
            Libc.register(C.class);
        }

        static native int bind(int fd, byte[] address, int length) throws LastErrorException;

        static native int listen(int fd, int backlog) throws LastErrorException;

        static native int getsockname(int fd, byte[] address, int[] length) throws LastErrorException;

        static native int setsockopt(int fd, int level, int option, int[] value, int length) throws LastErrorException;

        static native int shutdown(int fd, int how) throws LastErrorException;

        /** No LastErrorException: EAGAIN is an answer here, read with Native.getLastError(). */
        static native int accept4(int fd, byte[] address, int[] length, int flags);

        static native int connect(int fd, byte[] address, int length);
    }
}
