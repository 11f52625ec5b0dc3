package dev.containerized.internal.linux;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * fcntl.h's splice(2) and pipe sizes: bytes moved from a socket into a pipe and from the pipe into
 * another socket without passing through user space (the pages themselves move), which is what lets a
 * relay between two namespaces keep up with a direct connection.
 */
public final class Splice {
    /** splice(2) returned this instead of a count: the call would block (EAGAIN). */
    public static final long WOULD_BLOCK = -1;
    private static final int SPLICE_F_MOVE = 0x01;
    private static final int SPLICE_F_NONBLOCK = 0x02;
    private static final int F_SETPIPE_SZ = 1031;
    private static final int F_GETPIPE_SZ = 1032;

    private Splice() {
    }

    /** A non-blocking pipe whose ends close on exec: {@code [read, write]}. */
    public static Fd[] pipe() {
        int[] fds = new int[2];
        if (C.pipe2(fds, Fcntl.O_NONBLOCK | Fcntl.O_CLOEXEC) != 0) {
            throw new LinuxException("pipe2(O_NONBLOCK)", Native.getLastError());
        }
        return new Fd[] {Fd.of(fds[0]), Fd.of(fds[1])};
    }

    /**
     * Moves up to {@code length} bytes from {@code in} to {@code out}, one of which is a pipe, without
     * blocking: the count, 0 at the end of {@code in}'s data, or {@link #WOULD_BLOCK}. A broken
     * connection (ECONNRESET, EPIPE) throws.
     */
    public static long move(Fd in, Fd out, long length) {
        while (true) {
            long n = C.splice(in.number(), null, out.number(), null, length, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n >= 0) {
                return n;
            }
            int errno = Native.getLastError();
            if (errno == Errno.EAGAIN) {
                return WOULD_BLOCK;
            }
            if (errno != Errno.EINTR) {
                throw new LinuxException("splice(" + in + " -> " + out + ")", errno);
            }
        }
    }

    /** Grows (or shrinks) a pipe's capacity; returns the capacity it got, or its old one if refused. */
    public static int resize(Fd pipe, int bytes) {
        int got = C.fcntl(pipe.number(), F_SETPIPE_SZ, bytes);
        return got > 0 ? got : C.fcntl(pipe.number(), F_GETPIPE_SZ, 0);
    }

    private static final class C {
        static {
            Libc.register(C.class);
        }

        // No LastErrorException: EAGAIN is an answer here, read with Native.getLastError().
        static native long splice(int in, Pointer inOffset, int out, Pointer outOffset, long length, int flags);

        static native int pipe2(int[] fds, int flags);

        static native int fcntl(int fd, int command, int argument);
    }
}
