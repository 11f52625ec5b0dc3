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
final class SplicePump {
    /** A bulk transfer gets a bigger pipe once this much went through: fewer calls per byte. */
    private static final long BULK = 4L << 20;
    private static final int BULK_PIPE = 1 << 20;
    /** Rounds per turn, so one busy connection does not starve the others on the same thread. */
    private static final int ROUNDS = 16;
    private static final long ASK = 1L << 30;

    private final Fd source;
    private final Fd sink;
    private final Pipes pipes;
    private Pipes.Pipe pipe;
    private long inPipe;
    private long moved;
    /** The source may have bytes: an edge said so, and no read has found it empty since. */
    private boolean readable;
    private boolean sourceEnded;
    private boolean done;

    SplicePump(Fd source, Fd sink, Pipes pipes) {
        this.source = source;
        this.sink = sink;
        this.pipes = pipes;
    }

    /** Bytes read from the source so far. */
    long moved() {
        return moved;
    }

    /** The source reported bytes, its end, or an error: all are found by reading. */
    boolean sourceReady() {
        readable = true;
        return move();
    }

    /** The sink has room again. */
    boolean sinkReady() {
        return move();
    }

    /**
     * Moves what it can without blocking; returns true when it stopped with more perhaps to move at
     * once (its turn ended), false when it waits for an edge of either socket or is done. A broken
     * connection throws a LinuxException.
     */
    boolean move() {
        for (int round = 0; round < ROUNDS; round++) {
            if (done || (!readable && inPipe == 0)) {
                return false;
            }
            if (pipe == null) {
                pipe = pipes.take();
            }
            long read = 0;
            if (readable && !sourceEnded && inPipe < pipe.capacity) {
                read = Splice.move(source, pipe.write, ASK);
                if (read == 0) {
                    sourceEnded = true;
                } else if (read == Splice.WOULD_BLOCK) {
                    // Nothing to read, or the pipe's slots are full (a write below frees them).
                    readable = inPipe > 0;
                    read = 0;
                } else {
                    inPipe += read;
                    moved += read;
                }
            }
            long written = 0;
            if (inPipe > 0) {
                written = Splice.move(pipe.read, sink, inPipe);
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
            if (moved > BULK && pipe.capacity < BULK_PIPE) {
                pipe.capacity = Splice.resize(pipe.write, BULK_PIPE);
            }
        }
        return true;
    }

    boolean done() {
        return done;
    }

    /** Gives its pipe back to the forwarder, for the next connection if it is empty. */
    void release() {
        if (pipe != null) {
            pipes.give(pipe, inPipe == 0);
            pipe = null;
        }
    }
}
