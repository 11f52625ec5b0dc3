package dev.containerized.container.net;

import dev.containerized.internal.linux.Epoll;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.InetSockets;
import dev.containerized.internal.linux.LinuxException;

/**
 * One forwarded connection: the accepted socket and the one dialed to the target, joined by a pump each
 * way once the target answered. Both sockets are watched edge-triggered under one tag (the relay's id,
 * doubled, plus one for the dialed side). Lives on its forwarder's thread only.
 */
final class SpliceRelay {
    private static final int EVENTS = Epoll.EPOLLIN | Epoll.EPOLLOUT | Epoll.EPOLLRDHUP | Epoll.EPOLLET;

    private final Fd accepted;
    private final Fd dialed;
    private final SplicePump toTarget;
    private final SplicePump fromTarget;
    private boolean connected;
    private boolean closed;

    /**
     * Starts connecting {@code dialed} to 127.0.0.1:{@code port} and watches both sockets; the relay owns
     * them from here, also when this throws.
     */
    SpliceRelay(long id, Fd epoll, Fd accepted, Fd dialed, int port) {
        this.accepted = accepted;
        this.dialed = dialed;
        SplicePump to = null;
        SplicePump from = null;
        try {
            to = new SplicePump(accepted, dialed);
            from = new SplicePump(dialed, accepted);
            connected = InetSockets.connect(dialed, port);
            Epoll.add(epoll, accepted, EVENTS, id << 1);
            Epoll.add(epoll, dialed, EVENTS, (id << 1) | 1);
        } catch (RuntimeException e) {
            closeAll(true, to, from);
            throw e;
        }
        this.toTarget = to;
        this.fromTarget = from;
    }

    /**
     * An event of one of its sockets; returns true when it has more to move at once (see
     * {@link #resume()}).
     */
    boolean ready(boolean dialedSide, int events) {
        if (closed) {
            return false;
        }
        if (!connected) {
            if (!dialedSide) {
                return false; // the client's bytes wait in its socket until the target answered
            }
            try {
                if (InetSockets.error(dialed) != 0) {
                    close(true); // refused: the client sees a reset, as from a closed port
                    return false;
                }
            } catch (LinuxException e) {
                close(true);
                return false;
            }
            if ((events & (Epoll.EPOLLOUT | Epoll.EPOLLERR | Epoll.EPOLLHUP)) == 0) {
                return false;
            }
            connected = true;
        }
        return resume();
    }

    /** Moves what both pumps can; true when a pump's turn ended with more perhaps waiting. */
    boolean resume() {
        if (closed || !connected) {
            return false;
        }
        try {
            boolean more = toTarget.move();
            more |= fromTarget.move();
            if (toTarget.done() && fromTarget.done()) {
                close(false);
                return false;
            }
            return more;
        } catch (LinuxException e) {
            // Reset or broken on one side: the other side hears a reset too, as with a direct connection.
            close(true);
            return false;
        }
    }

    boolean closed() {
        return closed;
    }

    /** Closes both sockets and the pipes; {@code abort} resets the sockets rather than closing them in order. */
    void close(boolean abort) {
        if (!closed) {
            closed = true;
            closeAll(abort, toTarget, fromTarget);
        }
    }

    private void closeAll(boolean abort, SplicePump to, SplicePump from) {
        if (to != null) {
            to.close();
        }
        if (from != null) {
            from.close();
        }
        if (abort) {
            InetSockets.reset(accepted);
            InetSockets.reset(dialed);
        } else {
            accepted.close();
            dialed.close();
        }
    }
}
