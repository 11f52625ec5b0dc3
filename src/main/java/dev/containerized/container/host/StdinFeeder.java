package dev.containerized.container.host;

import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.linux.Unistd;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/**
 * Writes a command's stdin stream into its pipe, on a thread of its own. A stream that fails (or a
 * supplier that throws) ends the command's input there and makes the command's result that failure;
 * a write the command no longer reads (EPIPE: it stopped reading, as {@code head} does, or it ended)
 * ends the feeding quietly. Once the command has ended, a stream still being read is closed and the
 * thread interrupted, so that a stream nobody writes to (a socket, a {@code PipedInputStream}) holds
 * neither a thread nor a descriptor past its command. A read that neither a close nor an interrupt
 * ends (a {@code FileInputStream} on a fifo or a terminal) keeps its daemon thread, and the pipe's
 * write end, until it returns.
 */
final class StdinFeeder {
    private static final int CHUNK = 64 * 1024;

    private final Supplier<InputStream> source;
    private final Fd pipe;
    private final RunningCommand command;
    private final Thread thread;
    /** Guards the two below: the command's end and the stream, either of which may come first. */
    private final Object lock = new Object();
    private boolean commandEnded;
    private InputStream stream;

    StdinFeeder(Supplier<InputStream> source, Fd pipe, RunningCommand command) {
        this.source = source;
        this.pipe = pipe;
        this.command = command;
        this.thread = new Thread(this::feed, "containerized-stdin");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
        command.whenEnded(this::commandEnded);
    }

    private void feed() {
        long fed = 0;
        try (pipe) {
            InputStream in = open();
            if (in == null) {
                return;
            }
            byte[] buffer = new byte[CHUNK];
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (IOException | RuntimeException e) {
                    failed(e, fed);
                    return;
                }
                if (n < 0) {
                    return;
                }
                try {
                    Unistd.writeFully(pipe.number(), buffer, 0, n);
                } catch (LinuxException notWanted) {
                    return;
                }
                fed += n;
            }
        } finally {
            closeStream();
        }
    }

    /** The stream from the supplier, or null when it threw or the command has ended already. */
    private InputStream open() {
        InputStream in;
        try {
            in = source.get();
        } catch (RuntimeException e) {
            failed(e, 0);
            return null;
        }
        synchronized (lock) {
            stream = in;
            if (commandEnded) {
                return null;
            }
        }
        return in;
    }

    /** A failure while the command runs is the command's; after its end, the read was ended on purpose. */
    private void failed(Throwable failure, long fed) {
        synchronized (lock) {
            if (commandEnded) {
                return;
            }
        }
        command.stdinFailed(failure, fed);
    }

    /**
     * Runs on whatever thread completed the command's result (the container's I/O thread, holding the
     * command's lock): the stream's own close, which may take its time, runs on a thread of its own.
     */
    private void commandEnded() {
        boolean open;
        synchronized (lock) {
            commandEnded = true;
            open = stream != null;
        }
        thread.interrupt();
        if (open) {
            Thread closer = new Thread(this::closeStream, "containerized-stdin-close");
            closer.setDaemon(true);
            closer.start();
        }
    }

    private void closeStream() {
        InputStream in;
        synchronized (lock) {
            in = stream;
            stream = null;
        }
        if (in != null) {
            try {
                in.close();
            } catch (IOException | RuntimeException ignored) {
                // Closed for good either way; nothing reads it any more.
            }
        }
    }
}
