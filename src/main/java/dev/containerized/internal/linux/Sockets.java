package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/** sys/socket.h: a socket pair, and sending bytes with descriptors attached (SCM_RIGHTS). */
public final class Sockets {
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_CLOEXEC = Fcntl.O_CLOEXEC;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_NOSIGNAL = 0x4000;
    /** sizeof(struct cmsghdr) on LP64: size_t cmsg_len, int cmsg_level, int cmsg_type. */
    private static final int CMSG_HEADER = 16;

    private Sockets() {
    }

    /** socketpair(2): two connected unix stream sockets, closed on exec. */
    public static Fd[] streamPair() {
        int[] fds = new int[2];
        Libc.check(() -> C.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), "socketpair(AF_UNIX, SOCK_STREAM)");
        return new Fd[] {Fd.of(fds[0]), Fd.of(fds[1])};
    }

    /** socket(2). */
    public static Fd socket(int domain, int type) {
        return Fd.of(Libc.check(() -> C.socket(domain, type | SOCK_CLOEXEC, 0), "socket(" + domain + ", " + type + ")"));
    }

    /**
     * Sends all of {@code bytes} on a stream socket, with {@code fds} attached to its first byte. A
     * failure (EPIPE: the peer is gone) throws; no SIGPIPE is raised.
     * <p>
     * One block of native memory holds the msghdr, the iovec, the control message and the bytes, each
     * written at the offsets its Structure lays out: a message goes out per command, and a JNA Structure
     * written by reflection cost more than the call.
     */
    public static void sendWithDescriptors(Fd socket, byte[] bytes, int[] fds) {
        long controlLength = fds.length > 0 ? cmsgSpace(fds.length * 4L) : 0;
        // Both sizes are multiples of 8 on LP64, so the control message is aligned as CMSG_ALIGN wants.
        long iovAt = MSGHDR.size;
        long controlAt = iovAt + IOVEC.size;
        long dataAt = controlAt + controlLength;
        Memory block = new Memory(dataAt + Math.max(bytes.length, 1)); // JNA refuses a Memory of 0 bytes
        block.clear(dataAt);
        block.write(dataAt, bytes, 0, bytes.length);
        if (fds.length > 0) {
            block.setLong(controlAt, CMSG_HEADER + fds.length * 4L);
            block.setInt(controlAt + 8, SOL_SOCKET);
            block.setInt(controlAt + 12, SCM_RIGHTS);
            block.write(controlAt + CMSG_HEADER, fds, 0, fds.length);
        }
        Pointer message = block.share(0);
        long sent = 0;
        while (sent < bytes.length) {
            block.setPointer(iovAt + IOVEC.base, block.share(dataAt + sent));
            block.setLong(iovAt + IOVEC.length, bytes.length - sent);
            block.setPointer(MSGHDR.iov, block.share(iovAt));
            block.setLong(MSGHDR.iovlen, 1);
            boolean withControl = sent == 0 && fds.length > 0;
            block.setPointer(MSGHDR.control, withControl ? block.share(controlAt) : null);
            block.setLong(MSGHDR.controllen, withControl ? controlLength : 0);
            try {
                sent += C.sendmsg(socket.number(), message, MSG_NOSIGNAL);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new LinuxException("sendmsg(" + socket + ")", e.getErrorCode());
                }
            }
        }
    }

    /** Where struct msghdr's fields lie, as {@link MsgHdr} lays them out (LP64). */
    private record MsgHdrLayout(long size, long iov, long iovlen, long control, long controllen) {
        static MsgHdrLayout of(MsgHdr layout) {
            return new MsgHdrLayout(layout.size(), layout.offsetOf("iov"), layout.offsetOf("iovlen"), layout.offsetOf("control"),
                    layout.offsetOf("controllen"));
        }
    }

    /** Where struct iovec's fields lie, as {@link IoVec} lays them out. */
    private record IoVecLayout(long size, long base, long length) {
        static IoVecLayout of(IoVec layout) {
            return new IoVecLayout(layout.size(), layout.offsetOf("base"), layout.offsetOf("length"));
        }
    }

    private static final MsgHdrLayout MSGHDR = MsgHdrLayout.of(new MsgHdr());
    private static final IoVecLayout IOVEC = IoVecLayout.of(new IoVec());

    private static long cmsgSpace(long length) {
        return CMSG_HEADER + ((length + 7) & ~7L);
    }

    /** struct iovec: its layout, for the offsets above; never written itself (public: JNA reads its fields reflectively). */
    @Structure.FieldOrder({"base", "length"})
    public static final class IoVec extends Structure {
        public Pointer base;
        public long length;

        long offsetOf(String field) {
            return fieldOffset(field);
        }
    }

    /** struct msghdr, LP64: its layout, for the offsets above; never written itself (public, as JNA needs). */
    @Structure.FieldOrder({"name", "namelen", "iov", "iovlen", "control", "controllen", "flags"})
    public static final class MsgHdr extends Structure {
        public Pointer name;
        public int namelen;
        public Pointer iov;
        public long iovlen;
        public Pointer control;
        public long controllen;
        public int flags;

        long offsetOf(String field) {
            return fieldOffset(field);
        }
    }

    private static final class C {
        static {
            Libc.register(C.class);
        }

        static native int socketpair(int domain, int type, int protocol, int[] fds) throws LastErrorException;

        static native int socket(int domain, int type, int protocol) throws LastErrorException;

        static native long sendmsg(int fd, Pointer message, int flags) throws LastErrorException;
    }
}
