package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

/** poll.h and sys/eventfd.h: waiting on many descriptors, and a counter to wake a waiter. */
public final class Poll {
    public static final short POLLIN = 0x001;
    public static final short POLLERR = 0x008;
    public static final short POLLHUP = 0x010;
    public static final short POLLNVAL = 0x020;
    private static final int EFD_CLOEXEC = Fcntl.O_CLOEXEC;
    private static final int EFD_NONBLOCK = Fcntl.O_NONBLOCK;

    private Poll() {
    }

    /**
     * A struct pollfd array: fill with {@link #set}, wait with {@link #await}, read {@link #revents}.
     * Reused between waits; grows as needed.
     */
    public static final class Set {
        private Memory entries = new Memory(8 * 16);
        private int count;

        public void clear() {
            count = 0;
        }

        /** Adds {@code fd}, to be watched for {@code events}; returns its index. */
        public int set(int fd, short events) {
            if ((count + 1) * 8L > entries.size()) {
                Memory bigger = new Memory(entries.size() * 2);
                bigger.write(0, entries.getByteArray(0, count * 8), 0, count * 8);
                entries = bigger;
            }
            entries.setInt(count * 8L, fd);
            entries.setShort(count * 8L + 4, events);
            entries.setShort(count * 8L + 6, (short) 0);
            return count++;
        }

        public short revents(int index) {
            return entries.getShort(index * 8L + 6);
        }

        /** poll(2), retried on EINTR; -1 waits forever. Returns how many descriptors have events. */
        public int await(int timeoutMillis) {
            while (true) {
                try {
                    return C.poll(entries, count, timeoutMillis);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != Errno.EINTR) {
                        throw new LinuxException("poll(" + count + " descriptors)", e.getErrorCode());
                    }
                }
            }
        }
    }

    /** An eventfd(2) counter, non-blocking: {@link #wake} adds one, {@link #drain} resets it. */
    public static Fd eventFd() {
        return Fd.of(Libc.check(() -> C.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd()"));
    }

    public static void wake(Fd eventFd) {
        long[] one = {1};
        try {
            C.write(eventFd.number(), one, 8);
        } catch (LastErrorException e) {
            // EAGAIN: the counter is at its maximum, so the waiter wakes anyway; EBADF: it was closed.
        }
    }

    public static void drain(Fd eventFd) {
        long[] value = new long[1];
        try {
            C.read(eventFd.number(), value, 8);
        } catch (LastErrorException e) {
            // EAGAIN: nothing to drain.
        }
    }

    private static final class C {
        static {
            Libc.register(C.class);
        }

        static native int poll(Memory fds, long count, int timeout) throws LastErrorException;

        static native int eventfd(int initial, int flags) throws LastErrorException;

        static native long write(int fd, long[] value, long count) throws LastErrorException;

        static native long read(int fd, long[] value, long count) throws LastErrorException;
    }
}
