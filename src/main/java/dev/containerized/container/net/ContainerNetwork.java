package dev.containerized.container.net;

import dev.containerized.container.ContainerException;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.InetSockets;
import dev.containerized.internal.linux.LinuxException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One container's ports, as the test JVM reaches them: connections into the container's loopback,
 * listeners on the host's 127.0.0.1 forwarded into it, and listeners on the container's 127.0.0.1
 * forwarded out to the host's. No veth, no address beyond loopback, no iptables: sockets made on the
 * container's own thread are sockets of its network namespace. Everything it opened is closed with it.
 */
public final class ContainerNetwork implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** A listener inside the container forwarding to a port of the host. */
    private record Exposed(int hostPort, Forwarder forwarder) {
    }

    private final String containerId;
    private final ContainerSockets sockets;
    private final Map<Integer, Forwarder> hostPorts = new HashMap<>();
    private final Map<Integer, Exposed> exposed = new HashMap<>();
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    /** Shared by the container's exposed ports: what it opens from inside is bounded all together. */
    private final RelaySlots exposedSlots;
    private boolean closed;

    /** Nothing is opened until it is asked for. */
    public ContainerNetwork(String containerId, NetworkNamespace namespace) {
        this(containerId, namespace, RelaySlots.exposed());
    }

    private ContainerNetwork(String containerId, NetworkNamespace namespace, RelaySlots exposedSlots) {
        this.containerId = containerId;
        this.sockets = new ContainerSockets(containerId, namespace);
        this.exposedSlots = exposedSlots;
    }

    /**
     * For tests: another set of ports of the same container, whose exposed ports' relays have other
     * bounds than {@link RelaySlots#exposed()} (a grace a test can wait out). The caller closes it.
     */
    ContainerNetwork withExposedSlots(RelaySlots slots) {
        return new ContainerNetwork(containerId, sockets.namespace(), slots);
    }

    /**
     * A blocking socket connected to the container's 127.0.0.1:{@code port}, closed with the container
     * unless closed before.
     */
    public SocketChannel connect(int port) {
        Loopback.check(port, "port");
        connections.removeIf(c -> !c.isOpen());
        SocketChannel socket = sockets.take();
        connections.add(socket);
        try {
            socket.socket().connect(Loopback.port(port), (int) CONNECT_TIMEOUT.toMillis());
            return socket;
        } catch (IOException e) {
            connections.remove(socket);
            ContainerSockets.closeQuietly(socket);
            throw connectFailure(port, e);
        }
    }

    /**
     * A listener on the container's 127.0.0.1:{@code port}, made in its network namespace and owned by
     * the caller, for code of the test JVM that plays a server inside the container (benchmarks, tests).
     */
    public ServerSocketChannel listen(int port) throws IOException {
        Loopback.check(port, "port");
        try {
            return sockets.listen(port);
        } catch (ContainerSockets.Failure e) {
            throw (IOException) e.getCause();
        }
    }

    private ContainerException connectFailure(int port, IOException e) {
        String where = "127.0.0.1:" + port + " in container " + containerId;
        if (e instanceof ConnectException) {
            return new ContainerException("cannot connect to " + where + ": nothing listens on port " + port
                    + " there (" + e.getMessage() + "). Start the server first and wait until it listens: "
                    + "container.waitFor(Wait.forPort(" + port + "))", e);
        }
        if (e instanceof SocketTimeoutException) {
            return new ContainerException("cannot connect to " + where + ": no answer within " + CONNECT_TIMEOUT.toSeconds()
                    + " s (the server's listen backlog is full, or it stopped accepting)", e);
        }
        if (e instanceof ClosedChannelException) {
            return new ContainerException("cannot connect to " + where + ": the container was closed meanwhile", e);
        }
        return new ContainerException("cannot connect to " + where + ": " + e, e);
    }

    /**
     * The port of a listener on the host's 127.0.0.1 that forwards each connection to the container's
     * 127.0.0.1:{@code containerPort}; the same one each time for the same container port.
     */
    public synchronized int hostPort(int containerPort) {
        Loopback.check(containerPort, "container port");
        requireOpen();
        Forwarder forwarder = hostPorts.get(containerPort);
        if (forwarder == null) {
            Fd listener;
            try {
                listener = InetSockets.listen(0, Loopback.BACKLOG);
            } catch (LinuxException e) {
                throw new ContainerException("cannot listen on the host's 127.0.0.1 for port " + containerPort
                        + " of container " + containerId + ": " + e.getMessage(), e);
            }
            forwarder = Forwarder.start("containerized-" + containerId + "-port-" + containerPort, listener,
                    sockets::takeDescriptor, containerPort, RelaySlots.unbounded());
            hostPorts.put(containerPort, forwarder);
        }
        return forwarder.port();
    }

    /**
     * Listens on the container's 127.0.0.1:{@code containerPort} and forwards each connection to the
     * host's 127.0.0.1:{@code hostPort}. Asking again for the same pair does nothing. The container's
     * processes may have {@value RelaySlots#EXPOSED_MAX} such connections open at once, all exposed
     * ports together; one beyond is reset as soon as it is made. A connection whose container side
     * ended is cut once nothing moved on it for {@link RelaySlots#EXPOSED_GRACE} (30 s).
     */
    public synchronized int exposeHostPort(int hostPort, int containerPort) {
        Loopback.check(hostPort, "host port");
        Loopback.check(containerPort, "container port");
        requireOpen();
        Exposed already = exposed.get(containerPort);
        if (already != null) {
            if (already.hostPort == hostPort) {
                return containerPort;
            }
            throw new IllegalArgumentException("port " + containerPort + " of container " + containerId
                    + " already forwards to the host's port " + already.hostPort + ": expose host port " + hostPort
                    + " at another container port, exposeHostPort(" + hostPort + ", otherPort)");
        }
        Fd listener;
        try {
            listener = sockets.listenDescriptor(containerPort);
        } catch (LinuxException e) {
            String why = e.errno() == InetSockets.EADDRINUSE ? "something there listens on it already" : e.getMessage();
            throw new ContainerException("cannot listen on 127.0.0.1:" + containerPort + " in container " + containerId
                    + " for the host's port " + hostPort + ": " + why + " (" + e.getMessage() + "); expose it at another "
                    + "port, exposeHostPort(" + hostPort + ", otherPort)", e);
        }
        Forwarder forwarder = Forwarder.start("containerized-" + containerId + "-host-port-" + hostPort, listener,
                InetSockets::tcp, hostPort, exposedSlots);
        exposed.put(containerPort, new Exposed(hostPort, forwarder));
        return containerPort;
    }

    private void requireOpen() {
        if (closed) {
            throw new ContainerException("container " + containerId + " is closed: it has no ports any more");
        }
    }

    /** Closes every listener, forwarded connection and socket it made; they are closed when this returns. */
    @Override
    public void close() {
        List<AutoCloseable> resources = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            resources.addAll(hostPorts.values());
            exposed.values().forEach(e -> resources.add(e.forwarder));
        }
        resources.addAll(connections);
        resources.add(sockets);
        RuntimeException failure = null;
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new ContainerException("cannot close the ports of container " + containerId + ": " + e.getMessage(), e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        connections.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
