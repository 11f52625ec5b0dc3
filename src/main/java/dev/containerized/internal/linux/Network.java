package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/** net/if.h and linux/sockios.h: interface flags, for the loopback of a new network namespace. */
public final class Network {
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final short IFF_UP = 0x1;
    /** struct ifreq: char ifr_name[16], then a union whose first member is short ifr_flags; 40 bytes. */
    private static final int IFREQ_SIZE = 40;
    private static final int IFR_FLAGS = 16;

    private Network() {
    }

    /** Brings "lo" up in the calling thread's network namespace. */
    public static void loopbackUp() {
        try (Fd socket = Sockets.socket(Sockets.AF_INET, Sockets.SOCK_DGRAM)) {
            Memory ifreq = new Memory(IFREQ_SIZE);
            ifreq.clear();
            ifreq.setString(0, "lo");
            Libc.check(() -> C.ioctl(socket.number(), SIOCGIFFLAGS, ifreq), "ioctl(SIOCGIFFLAGS, \"lo\")");
            ifreq.setShort(IFR_FLAGS, (short) (ifreq.getShort(IFR_FLAGS) | IFF_UP));
            Libc.check(() -> C.ioctl(socket.number(), SIOCSIFFLAGS, ifreq), "ioctl(SIOCSIFFLAGS, \"lo\", IFF_UP)");
        }
    }

    private static final class C {
        static {
            Libc.register(C.class);
        }

        static native int ioctl(int fd, long request, Pointer argument) throws LastErrorException;
    }
}
