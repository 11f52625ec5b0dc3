package dev.containerized.container.net;

import dev.containerized.container.ContainerException;
import dev.containerized.internal.linux.Epoll;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.InetSockets;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.linux.Poll;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A listener in one network namespace whose every connection is relayed to a port of 127.0.0.1 in
 * another: each accepted connection gets a socket from the {@link Dialer}, made in the target's
 * namespace, and the bytes go both ways by splice(2). One thread per forwarder, waiting in epoll, does
 * the accepting and all the relaying, so fifty connections cost no more threads than one. Closing it
 * stops the thread, which closes the listener and resets every relayed connection before
 * {@link #close()} returns.
 * <p>
 * Its relays take slots of a {@link RelaySlots}, which a container's exposed ports share: a connection
 * accepted when every slot is taken is reset at once, and a relay whose client ended is reset once it
 * moved nothing for the slots' grace, so that a process inside cannot hold the test JVM's
 * descriptors without bound, nor keep them after it died.
 */
final class Forwarder implements AutoCloseable {
    private static final Duration STOP = Duration.ofSeconds(10);
    private static final long LISTENER = 0;
    private static final long WAKE = 1;
    private static final int BATCH = 64;
    /** How often, at most, relays are looked over for a client that ended and nothing moved for the grace since. */
    private static final Duration SWEEP = Duration.ofSeconds(1);

    /** Makes an unconnected, non-blocking TCP socket in the target's network namespace. */
    @FunctionalInterface
    interface Dialer {
        Fd open();
    }

    private final String name;
    private final Fd listener;
    private final Dialer dialer;
    private final int targetPort;
    private final int port;
    private final RelaySlots slots;
    /** Set once a connection was refused for want of a slot: the warning is said once per forwarder. */
    private boolean refusedOnce;
    private long nextSweep;
    private final Fd epoll = Epoll.create();
    private final Fd wake = Poll.eventFd();
    private final Map<Long, SpliceRelay> relays = new HashMap<>();
    private final Pipes pipes = new Pipes();
    private final Thread thread;
    /** Guards {@link #wake} against a wakeup after the thread closed it: its number may be reused. */
    private final Object lock = new Object();
    private long nextId = 1;
    private volatile boolean stopping;

    private Forwarder(String name, Fd listener, Dialer dialer, int targetPort, RelaySlots slots) {
        this.name = name;
        this.listener = listener;
        this.dialer = dialer;
        this.targetPort = targetPort;
        this.slots = slots;
        try {
            this.port = InetSockets.localPort(listener);
            Epoll.add(epoll, listener, Epoll.EPOLLIN, LISTENER);
            Epoll.add(epoll, wake, Epoll.EPOLLIN, WAKE);
        } catch (RuntimeException e) {
            closeDescriptors();
            throw e;
        }
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
    }

    /**
     * Starts relaying what {@code listener} (a listening, non-blocking socket) accepts to
     * 127.0.0.1:{@code targetPort} of the dialer's namespace, as many at once as {@code slots} has free.
     * The forwarder owns the listener from here, also when this throws.
     */
    static Forwarder start(String name, Fd listener, Dialer dialer, int targetPort, RelaySlots slots) {
        try {
            Forwarder forwarder = new Forwarder(name, listener, dialer, targetPort, slots);
            forwarder.thread.start();
            return forwarder;
        } catch (RuntimeException e) {
            listener.close();
            throw new ContainerException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /** The port it listens on. */
    int port() {
        return port;
    }

    private void loop() {
        Epoll.Events events = new Epoll.Events(BATCH);
        List<SpliceRelay> pending = new ArrayList<>();
        List<SpliceRelay> resumed = new ArrayList<>();
        try {
            while (!stopping) {
                int n = events.await(epoll, pending.isEmpty() ? sweepTimeout() : 0);
                resumed.clear();
                resumed.addAll(pending);
                pending.clear();
                for (int i = 0; i < n; i++) {
                    long tag = events.tag(i);
                    if (tag == LISTENER) {
                        acceptOne();
                    } else if (tag == WAKE) {
                        Poll.drain(wake);
                    } else {
                        SpliceRelay relay = relays.get(tag >> 1);
                        if (relay != null && relay.ready((tag & 1) == 1, events.events(i))) {
                            pending.add(relay);
                        }
                        forgetIfClosed(tag >> 1, relay);
                    }
                }
                // Relays whose last turn ended with more to move, before this wait.
                for (SpliceRelay relay : resumed) {
                    if (!pending.contains(relay) && relay.resume()) {
                        pending.add(relay);
                    }
                    forgetIfClosed(relay.id(), relay);
                }
                resetQuietRelaysWhoseClientEnded();
            }
        } catch (RuntimeException e) {
            System.getLogger(Forwarder.class.getName()).log(System.Logger.Level.WARNING, name + " stopped: " + e, e);
        } finally {
            relays.values().forEach(relay -> {
                relay.close(true);
                slots.give();
            });
            relays.clear();
            pipes.close();
            closeDescriptors();
        }
    }

    private void forgetIfClosed(long id, SpliceRelay relay) {
        if (relay != null && relay.closed() && relays.remove(id) != null) {
            slots.give();
        }
    }

    /** Milliseconds epoll may wait: for ever, or until the next look for relays past their grace. */
    private int sweepTimeout() {
        if (slots.grace() == null || relays.isEmpty()) {
            return -1;
        }
        return (int) Math.max(0, Math.min(SWEEP.toMillis(), (nextSweep - System.nanoTime()) / 1_000_000 + 1));
    }

    /** Resets the relays whose client ended and which moved nothing for the grace while the target kept its side open. */
    private void resetQuietRelaysWhoseClientEnded() {
        Duration grace = slots.grace();
        long now = System.nanoTime();
        if (grace == null || now - nextSweep < 0) {
            return;
        }
        nextSweep = now + Math.min(SWEEP.toNanos(), grace.toNanos());
        for (SpliceRelay relay : List.copyOf(relays.values())) {
            if (relay.quietLongerThanSinceClientEnded(grace, now)) {
                relay.close(true);
                forgetIfClosed(relay.id(), relay);
            }
        }
    }

    /** One connection per event: the listener is level-triggered, so another waiting one is reported again. */
    private void acceptOne() {
        Fd accepted;
        try {
            accepted = InetSockets.accept(listener);
        } catch (LinuxException e) {
            // EMFILE and the like: the connection waits in the backlog; do not spin on it.
            pause();
            return;
        }
        if (accepted != null) {
            relay(accepted);
        }
    }

    private void relay(Fd accepted) {
        if (!slots.tryTake()) {
            // Accepted and reset rather than left in the backlog: the client hears at once, and the
            // listener, level-triggered, does not wake this thread again for the same connection.
            InetSockets.reset(accepted);
            warnOfRefusal();
            return;
        }
        Fd dialed;
        try {
            dialed = dialer.open();
        } catch (RuntimeException e) {
            // The target's side is gone (its container ended): the client sees its connection reset.
            InetSockets.reset(accepted);
            slots.give();
            return;
        }
        long id = nextId++;
        try {
            relays.put(id, new SpliceRelay(id, epoll, pipes, accepted, dialed, targetPort));
        } catch (RuntimeException e) {
            // Refused at once: the relay reset both sockets.
            slots.give();
        }
    }

    private void warnOfRefusal() {
        if (!refusedOnce) {
            refusedOnce = true;
            System.getLogger(Forwarder.class.getName()).log(System.Logger.Level.WARNING, name + ": " + slots.max()
                    + " connections are open already, as many as a container may have to the host ports it was given;"
                    + " the ones beyond are reset (the code in the container should close the connections it no longer"
                    + " needs, or pool them)");
        }
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeDescriptors() {
        synchronized (lock) {
            listener.close();
            epoll.close();
            wake.close();
        }
    }

    /** Stops accepting, resets every relayed connection and closes the listener; returns once all are closed. */
    @Override
    public void close() {
        stopping = true;
        synchronized (lock) {
            if (!wake.isClosed()) {
                Poll.wake(wake);
            }
        }
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(STOP.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new ContainerException(name + " did not stop within " + STOP.toSeconds() + " s");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
