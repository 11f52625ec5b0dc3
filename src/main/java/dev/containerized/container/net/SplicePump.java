package dev.containerized.container.net;

import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.InetSockets;
import dev.containerized.internal.linux.Splice;

/**
 * One direction of a relayed connection: bytes from a source socket into a pipe and from the pipe into
 * a sink socket, by splice(2), so they never pass through the JVM. Both sockets are non-blocking and
 * watched edge-triggered, so a move goes on until neither side can progress. When the source ends,
 * what is in the pipe is written and the sink's output is shut down: the far end reads end of file
 * while the other direction goes on (a client that half-closes, as {@code nc} does at the end of its
 * input, still gets its answer).
 */
final class SplicePump implements AutoCloseable {
    /** A bulk transfer gets a bigger pipe once this much went through: fewer calls per byte. */
    private static final long BULK = 4L << 20;
    private static final int BULK_PIPE = 1 << 20;
    /** Rounds per turn, so one busy connection does not starve the others on the same thread. */
    private static final int ROUNDS = 16;
    private static final long ASK = 1L << 30;

    private final Fd source;
    private final Fd sink;
    private final Fd[] pipe = Splice.pipe();
    private int capacity = 64 * 1024;
    private long inPipe;
    private long moved;
    private boolean sourceEnded;
    private boolean done;

    SplicePump(Fd source, Fd sink) {
        this.source = source;
        this.sink = sink;
    }

    /**
     * Moves what it can without blocking; returns true when it stopped with more perhaps to move at
     * once (its turn ended), false when it waits for an event of either socket or is done. A broken
     * connection throws a LinuxException.
     */
    boolean move() {
        for (int round = 0; round < ROUNDS; round++) {
            if (done) {
                return false;
            }
            long read = 0;
            if (!sourceEnded && inPipe < capacity) {
                read = Splice.move(source, pipe[1], ASK);
                if (read == 0) {
                    sourceEnded = true;
                } else if (read == Splice.WOULD_BLOCK) {
                    read = 0; // nothing to read, or the pipe's slots are full: a write below frees them
                } else {
                    inPipe += read;
                    moved += read;
                }
            }
            long written = 0;
            if (inPipe > 0) {
                written = Splice.move(pipe[0], sink, inPipe);
                written = written == Splice.WOULD_BLOCK ? 0 : written;
                inPipe -= written;
            }
            if (sourceEnded && inPipe == 0) {
                done = true;
                InetSockets.shutdownOutput(sink);
                return false;
            }
            if (read == 0 && written == 0) {
                return false; // both sides wait: the next edge of either socket says when to go on
            }
            if (moved > BULK && capacity < BULK_PIPE) {
                capacity = Splice.resize(pipe[1], BULK_PIPE);
            }
        }
        return true;
    }

    boolean done() {
        return done;
    }

    @Override
    public void close() {
        pipe[0].close();
        pipe[1].close();
    }
}
