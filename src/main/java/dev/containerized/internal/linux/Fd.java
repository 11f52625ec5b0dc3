package dev.containerized.internal.linux;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An open file descriptor this JVM owns, closed once. Holding one, rather than an int, makes it plain
 * who closes it; {@link #procPath()} names it for calls that take a path, so a file opened once
 * (without following symlinks) is not looked up again.
 */
public final class Fd implements AutoCloseable {
    private final int number;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Fd(int number) {
        this.number = number;
    }

    /** Takes ownership of {@code number}. */
    public static Fd of(int number) {
        if (number < 0) {
            throw new IllegalArgumentException("not a descriptor: " + number);
        }
        return new Fd(number);
    }

    public int number() {
        return number;
    }

    /** {@code /proc/thread-self/fd/N}: a path the kernel resolves to this very file. */
    public String procPath() {
        return "/proc/thread-self/fd/" + number;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Closes it, once; errors are ignored, since the descriptor is gone either way. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Unistd.closeQuietly(number);
        }
    }

    @Override
    public String toString() {
        return "fd " + number;
    }
}
