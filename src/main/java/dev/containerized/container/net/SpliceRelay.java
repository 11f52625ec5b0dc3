package dev.containerized.container.net;

import dev.containerized.internal.linux.Epoll;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.InetSockets;
import dev.containerized.internal.linux.LinuxException;

/**
 * One forwarded connection: the accepted socket and the one dialed to the target, joined by a pump each
 * way once the target answered. Both sockets are watched edge-triggered under one tag (the relay's id,
 * doubled, plus one for the dialed side); an event moves only the pumps it concerns, so an idle
 * direction costs no system call. Lives on its forwarder's thread only.
 */
final class SpliceRelay {
    private static final int EVENTS = Epoll.EPOLLIN | Epoll.EPOLLOUT | Epoll.EPOLLRDHUP | Epoll.EPOLLET;
    /** Events that reading answers: bytes, the peer's end of its output, a reset. */
    private static final int READ = Epoll.EPOLLIN | Epoll.EPOLLRDHUP | Epoll.EPOLLHUP | Epoll.EPOLLERR;
    /** Events of the accepted socket that say the client will send nothing more: closed, shut down or reset. */
    private static final int ENDED = Epoll.EPOLLRDHUP | Epoll.EPOLLHUP | Epoll.EPOLLERR;

    /** The forwarder's key of this relay; its epoll tags are {@code id << 1} (accepted) and {@code | 1} (dialed). */
    private final long id;
    private final Fd accepted;
    private final Fd dialed;
    private final SplicePump toTarget;
    private final SplicePump fromTarget;
    private boolean connected;
    /** The client spoke before the target answered: its bytes wait in its socket. */
    private boolean clientWaiting;
    private boolean closed;
    /** When the client's side ended (System.nanoTime), if it did. */
    private long clientEndedAt;
    private boolean clientEnded;
    /** The bytes both directions had moved at the last look for quiet relays, and when that count last grew. */
    private long movedAtLastLook;
    private long lastMoveSeenAt;

    /**
     * Starts connecting {@code dialed} to 127.0.0.1:{@code port} and watches both sockets; the relay owns
     * them from here, also when this throws.
     */
    SpliceRelay(long id, Fd epoll, Pipes pipes, Fd accepted, Fd dialed, int port) {
        this.id = id;
        this.accepted = accepted;
        this.dialed = dialed;
        this.toTarget = new SplicePump(accepted, dialed, pipes);
        this.fromTarget = new SplicePump(dialed, accepted, pipes);
        try {
            connected = InetSockets.connect(dialed, port);
            Epoll.add(epoll, accepted, EVENTS, id << 1);
            Epoll.add(epoll, dialed, EVENTS, (id << 1) | 1);
        } catch (RuntimeException e) {
            close(true);
            throw e;
        }
    }

    long id() {
        return id;
    }

    /**
     * An event of one of its sockets; returns true when it has more to move at once (see
     * {@link #resume()}).
     */
    boolean ready(boolean dialedSide, int events) {
        if (closed) {
            return false;
        }
        if (!dialedSide && (events & ENDED) != 0 && !clientEnded) {
            clientEnded = true;
            clientEndedAt = System.nanoTime();
        }
        try {
            if (!connected) {
                if (!dialedSide) {
                    clientWaiting |= (events & READ) != 0;
                    return false;
                }
                if ((events & (Epoll.EPOLLERR | Epoll.EPOLLHUP)) != 0) {
                    close(true); // refused: the client sees a reset, as from a closed port
                    return false;
                }
                if ((events & Epoll.EPOLLOUT) == 0) {
                    return false;
                }
                connected = true;
                if (clientWaiting) {
                    events |= Epoll.EPOLLOUT; // the target's socket has room: move what the client sent
                }
            }
            SplicePump reading = dialedSide ? fromTarget : toTarget;
            SplicePump writing = dialedSide ? toTarget : fromTarget;
            boolean more = false;
            if ((events & READ) != 0) {
                more = reading.sourceReady();
            }
            if ((events & Epoll.EPOLLOUT) != 0) {
                if (clientWaiting && dialedSide) {
                    clientWaiting = false;
                    more |= toTarget.sourceReady();
                } else {
                    more |= writing.sinkReady();
                }
            }
            return finish(more);
        } catch (LinuxException e) {
            // Reset or broken on one side: the other side hears a reset too, as with a direct connection.
            close(true);
            return false;
        }
    }

    /** Moves what both pumps can; true when a pump's turn ended with more perhaps waiting. */
    boolean resume() {
        if (closed || !connected) {
            return false;
        }
        try {
            boolean more = toTarget.move();
            more |= fromTarget.move();
            return finish(more);
        } catch (LinuxException e) {
            close(true);
            return false;
        }
    }

    private boolean finish(boolean more) {
        if (toTarget.done() && fromTarget.done()) {
            close(false);
            return false;
        }
        return more;
    }

    /**
     * Whether the client's side ended, and since then the relay moved nothing for {@code grace} up to
     * {@code now} (System.nanoTime) while it stayed open: a target still answering a half-closed client
     * is never cut. Looked at about once a second; a move between looks counts from the next look.
     */
    boolean quietLongerThanSinceClientEnded(java.time.Duration grace, long now) {
        long moved = toTarget.moved() + fromTarget.moved();
        if (moved != movedAtLastLook) {
            movedAtLastLook = moved;
            lastMoveSeenAt = now;
            return false;
        }
        return clientEnded && !closed && now - Math.max(clientEndedAt, lastMoveSeenAt) >= grace.toNanos();
    }

    boolean closed() {
        return closed;
    }

    /** Closes both sockets and gives back the pipes; {@code abort} resets the sockets rather than closing them in order. */
    void close(boolean abort) {
        if (closed) {
            return;
        }
        closed = true;
        toTarget.release();
        fromTarget.release();
        if (abort) {
            InetSockets.reset(accepted);
            InetSockets.reset(dialed);
        } else {
            accepted.close();
            dialed.close();
        }
    }
}
