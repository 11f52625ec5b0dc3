package dev.containerized.container.net;

import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.Splice;

import java.util.ArrayDeque;

/**
 * The pipes of one forwarder's relays, kept empty for the next connection: a relay gets a pipe only
 * when bytes come its way, and one from here costs no system call. Forwarder thread only.
 */
final class Pipes implements AutoCloseable {
    /** The capacity of a new pipe (the kernel's default); a bulk transfer grows its own. */
    static final int DEFAULT_CAPACITY = 64 * 1024;
    private static final int KEPT = 32;

    /** A pipe and what it can hold. */
    static final class Pipe {
        final Fd read;
        final Fd write;
        int capacity = DEFAULT_CAPACITY;

        private Pipe(Fd[] ends) {
            this.read = ends[0];
            this.write = ends[1];
        }

        void close() {
            read.close();
            write.close();
        }
    }

    private final ArrayDeque<Pipe> free = new ArrayDeque<>();

    Pipe take() {
        Pipe pipe = free.poll();
        return pipe != null ? pipe : new Pipe(Splice.pipe());
    }

    /** Takes back a pipe that is empty; one that may hold bytes is closed instead. */
    void give(Pipe pipe, boolean empty) {
        if (empty && free.size() < KEPT) {
            free.push(pipe);
        } else {
            pipe.close();
        }
    }

    @Override
    public void close() {
        free.forEach(Pipe::close);
        free.clear();
    }
}
