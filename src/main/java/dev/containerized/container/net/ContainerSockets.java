package dev.containerized.container.net;

import dev.containerized.container.ContainerException;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.InetSockets;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Sockets of a container's loopback: unconnected TCP sockets made ahead in batches, and listeners.
 * Making one means a trip to the container's thread and back (an eventfd wakeup each way), which would
 * double the cost of a connection on loopback; a batch pays that trip once for {@value #BATCH}
 * connections. Two kinds are kept: java.nio channels for {@code connect} (the caller gets one), and
 * bare descriptors for forwarders (splice(2) needs the descriptor).
 */
final class ContainerSockets implements AutoCloseable {
    static final int BATCH = 16;

    static {
        // The JDK's socket classes are loaded and initialized here, on an ordinary thread: the container's
        // thread then only makes sockets.
        try {
            SocketChannel.open(StandardProtocolFamily.INET).close();
            ServerSocketChannel.open(StandardProtocolFamily.INET).close();
        } catch (IOException ignored) {
            // Without sockets at all, the first real one says why.
        }
    }

    private final String containerId;
    private final NetworkNamespace namespace;
    private final ArrayDeque<SocketChannel> channels = new ArrayDeque<>();
    private final ArrayDeque<Fd> descriptors = new ArrayDeque<>();
    private boolean closed;

    ContainerSockets(String containerId, NetworkNamespace namespace) {
        this.containerId = containerId;
        this.namespace = namespace;
    }

    NetworkNamespace namespace() {
        return namespace;
    }

    /** An unconnected, blocking IPv4 TCP channel in the container's network namespace; the caller owns it. */
    SocketChannel take() {
        return take(channels, () -> SocketChannel.open(StandardProtocolFamily.INET), ContainerSockets::closeQuietly);
    }

    /** An unconnected, non-blocking IPv4 TCP socket in the container's network namespace; the caller owns it. */
    Fd takeDescriptor() {
        return take(descriptors, InetSockets::tcp, Fd::close);
    }

    /** One of {@code ready}, or the first of a new batch of {@code make}'s, the rest kept ready. */
    private <T> T take(ArrayDeque<T> ready, Callable<T> make, Consumer<T> close) {
        synchronized (this) {
            requireOpen();
            T socket = ready.poll();
            if (socket != null) {
                return socket;
            }
        }
        Callable<List<T>> batch = () -> {
            List<T> made = new ArrayList<>(BATCH);
            try {
                for (int i = 0; i < BATCH; i++) {
                    made.add(make.call());
                }
                return made;
            } catch (Exception e) {
                made.forEach(close);
                throw e;
            }
        };
        List<T> made;
        try {
            made = inNamespace(batch);
        } catch (Failure | dev.containerized.internal.linux.LinuxException e) {
            throw new ContainerException("cannot make a socket in container " + containerId + ": " + e.getMessage(), e);
        }
        synchronized (this) {
            if (closed) {
                made.forEach(close);
                requireOpen();
            }
            ready.addAll(made.subList(1, made.size()));
        }
        return made.get(0);
    }

    /** A java.nio listener on the container's 127.0.0.1:{@code port}; the caller owns it. */
    ServerSocketChannel listen(int port) {
        return inNamespace(() -> {
            ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET);
            try {
                listener.bind(Loopback.port(port), Loopback.BACKLOG);
                return listener;
            } catch (IOException | RuntimeException e) {
                listener.close();
                throw e;
            }
        });
    }

    /** A non-blocking listening socket on the container's 127.0.0.1:{@code port}; the caller owns it. */
    Fd listenDescriptor(int port) {
        return inNamespace(() -> InetSockets.listen(port, Loopback.BACKLOG));
    }

    /** Runs {@code task} in the container's network namespace; its exceptions come back as they are. */
    private <T> T inNamespace(Callable<T> task) {
        try {
            return namespace.call(task);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new Failure(e);
        }
    }

    /** A checked exception of a task in the container's namespace, such as a BindException. */
    static final class Failure extends RuntimeException {
        Failure(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new ContainerException("container " + containerId + " is closed: it has no ports any more");
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        channels.forEach(ContainerSockets::closeQuietly);
        channels.clear();
        descriptors.forEach(Fd::close);
        descriptors.clear();
    }

    static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing a socket only fails for a bad descriptor; nothing is left to release.
        }
    }
}
