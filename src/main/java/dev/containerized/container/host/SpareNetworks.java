package dev.containerized.container.host;

import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.Network;
import dev.containerized.internal.linux.Sched;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One network namespace made ahead, its loopback up, for the next container's thread to join instead of
 * making its own: the kernel takes about 0.4 ms to make one, more than every other namespace of a
 * container together, and that was on the path of every start. Each container, once up, asks for the
 * next one (but the first of a JVM), to be made while it is used; a start that finds none (the first
 * two of a JVM, or one of ten at once) makes its own, as before: a spare only ever saves time.
 * <p>
 * Spares are made by one thread of this JVM, started with its first container, which returns to the
 * host's network namespace after each and waits while none is wanted. Until a container takes it, a
 * spare is held by a descriptor of this JVM and nothing else: no process, socket, mount or address is in
 * it, and it goes when the JVM does. A container gets one fresh, never one another container used
 * (those end with their containers).
 */
final class SpareNetworks {
    private static final System.Logger LOG = System.getLogger(SpareNetworks.class.getName());
    private static final AtomicReference<Fd> SPARE = new AtomicReference<>();
    private static final Object LOCK = new Object();
    /**
     * Guarded by LOCK: a spare is wanted; the maker thread, once started; whether it stopped for good after
     * a failure; whether a container was up before (the next one asks for spares).
     */
    private static boolean wanted;
    private static Thread maker;
    private static boolean failed;
    private static boolean secondContainer;

    private SpareNetworks() {
    }

    /** The spare, if one is ready: the caller joins it (setns) and closes the descriptor. */
    static Optional<Fd> take() {
        return Optional.ofNullable(SPARE.getAndSet(null));
    }

    /** The ready spare's namespace as /proc names it ("net:[inode]"), if one is ready; for a test. */
    static Optional<String> readyOne() {
        Fd spare = SPARE.get();
        try {
            return spare == null ? Optional.empty()
                    : Optional.of(java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + spare.number())).toString());
        } catch (java.io.IOException taken) {
            return Optional.empty();
        }
    }

    /**
     * Asks for a spare to be made, unless one is ready: called once a container is up, when its start no
     * longer competes for the cores with the making. Not after a JVM's first container: a JVM that starts
     * only one (the command line's {@code run}) would make a spare for nothing.
     */
    static void makeOneAhead() {
        synchronized (LOCK) {
            if (!secondContainer) {
                secondContainer = true;
                return;
            }
            if (failed || SPARE.get() != null) {
                return;
            }
            wanted = true;
            if (maker == null) {
                Thread thread = new Thread(null, SpareNetworks::makeWhenWanted, "containerized-spare-network", 256 * 1024);
                thread.setDaemon(true);
                try {
                    thread.start();
                } catch (OutOfMemoryError | IllegalStateException noThread) { // a spare only ever saves time
                    failed = true;
                    return;
                }
                maker = thread;
            } else {
                LOCK.notifyAll();
            }
        }
    }

    /** The maker thread's loop; it ends at its first failure, so that it never runs on in a wrong namespace. */
    private static void makeWhenWanted() {
        try (Fd host = Fcntl.open("/proc/thread-self/ns/net", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0)) {
            while (true) {
                synchronized (LOCK) {
                    while (!wanted) {
                        LOCK.wait();
                    }
                    wanted = false;
                }
                if (SPARE.get() == null) {
                    SPARE.set(makeSpare(host));
                }
            }
        } catch (RuntimeException | InterruptedException e) {
            // A start that finds no spare makes its own namespace, and reports the error if it has one too.
            LOG.log(System.Logger.Level.DEBUG, "no more spare network namespaces: " + e.getMessage(), e);
            synchronized (LOCK) {
                failed = true;
            }
        }
    }

    /** A new network namespace with its loopback up; the calling thread is back in {@code host}'s after. */
    private static Fd makeSpare(Fd host) {
        Sched.unshare(Sched.CLONE_NEWNET);
        Fd spare = Fcntl.open("/proc/thread-self/ns/net", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
        try {
            Network.loopbackUp();
            Sched.setns(host, Sched.CLONE_NEWNET);
            return spare;
        } catch (RuntimeException e) {
            spare.close();
            throw e;
        }
    }
}
