package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;

/**
 * sys/epoll.h: waiting on many descriptors at once, each registered once with a 64-bit tag that comes
 * back with its events. struct epoll_event is packed on x86_64 (12 bytes, the tag at offset 4) and
 * naturally aligned on aarch64 (16 bytes, the tag at offset 8).
 */
public final class Epoll {
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    public static final int EPOLLRDHUP = 0x2000;
    /** Edge-triggered: an event is reported when readiness arises, not while it lasts. */
    public static final int EPOLLET = 1 << 31;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLL_CLOEXEC = Fcntl.O_CLOEXEC;
    private static final int EVENT_SIZE = Architecture.current() == Architecture.X86_64 ? 12 : 16;
    private static final int TAG_OFFSET = Architecture.current() == Architecture.X86_64 ? 4 : 8;
    /** One struct epoll_event per thread for epoll_ctl: a relay adds two per connection, and native memory is slow to get. */
    private static final ThreadLocal<Memory> EVENT = ThreadLocal.withInitial(() -> new Memory(EVENT_SIZE));

    private Epoll() {
    }

    /** epoll_create1(EPOLL_CLOEXEC). */
    public static Fd create() {
        return Fd.of(Libc.check(() -> C.epoll_create1(EPOLL_CLOEXEC), "epoll_create1()"));
    }

    /** Watches {@code fd} for {@code events}; they come back with {@code tag}. */
    public static void add(Fd epoll, Fd fd, int events, long tag) {
        Memory event = EVENT.get();
        event.setInt(0, events);
        event.setLong(TAG_OFFSET, tag);
        Libc.check(() -> C.epoll_ctl(epoll.number(), EPOLL_CTL_ADD, fd.number(), event), "epoll_ctl(ADD, " + fd + ")");
    }

    /** Stops watching {@code fd} (closing it does so too, once no other descriptor refers to its file). */
    public static void remove(Fd epoll, Fd fd) {
        try {
            C.epoll_ctl(epoll.number(), EPOLL_CTL_DEL, fd.number(), null);
        } catch (LastErrorException ignored) {
            // Not watched: nothing to stop.
        }
    }

    /** Room for the events of one epoll_wait(2), reused from one wait to the next. */
    public static final class Events {
        private final Memory memory;
        private final int capacity;

        public Events(int capacity) {
            this.capacity = capacity;
            this.memory = new Memory((long) capacity * EVENT_SIZE);
        }

        /** epoll_wait(2); -1 waits forever. Returns how many events arrived (0 on timeout or a signal). */
        public int await(Fd epoll, int timeoutMillis) {
            int n = C.epoll_wait(epoll.number(), memory, capacity, timeoutMillis);
            if (n >= 0) {
                return n;
            }
            int errno = Native.getLastError();
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw new LinuxException("epoll_wait(" + epoll + ")", errno);
        }

        public int events(int index) {
            return memory.getInt((long) index * EVENT_SIZE);
        }

        public long tag(int index) {
            return memory.getLong((long) index * EVENT_SIZE + TAG_OFFSET);
        }
    }

    private static final class C {
        static {
            Libc.register(C.class);
        }

        static native int epoll_create1(int flags) throws LastErrorException;

        static native int epoll_ctl(int epfd, int op, int fd, Memory event) throws LastErrorException;

        static native int epoll_wait(int epfd, Memory events, int maxEvents, int timeout);
    }
}
