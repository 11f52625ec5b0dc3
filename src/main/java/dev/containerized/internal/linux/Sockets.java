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
     */
    public static void sendWithDescriptors(Fd socket, byte[] bytes, int[] fds) {
        Memory data = new Memory(bytes.length);
        data.write(0, bytes, 0, bytes.length);
        Memory control = null;
        if (fds.length > 0) {
            control = new Memory(cmsgSpace(fds.length * 4L));
            control.clear();
            control.setLong(0, CMSG_HEADER + fds.length * 4L);
            control.setInt(8, SOL_SOCKET);
            control.setInt(12, SCM_RIGHTS);
            control.write(CMSG_HEADER, fds, 0, fds.length);
        }
        long sent = 0;
        while (sent < bytes.length) {
            IoVec iov = new IoVec();
            iov.base = data.share(sent);
            iov.length = bytes.length - sent;
            MsgHdr message = new MsgHdr();
            message.iov = iov.getPointer();
            message.iovlen = 1;
            if (sent == 0 && control != null) {
                message.control = control;
                message.controllen = control.size();
            }
            iov.write();
            message.write();
            try {
                sent += C.sendmsg(socket.number(), message, MSG_NOSIGNAL);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new LinuxException("sendmsg(" + socket + ")", e.getErrorCode());
                }
            }
        }
    }

    private static long cmsgSpace(long length) {
        return CMSG_HEADER + ((length + 7) & ~7L);
    }

    /** struct iovec. */
    @Structure.FieldOrder({"base", "length"})
    public static final class IoVec extends Structure {
        public Pointer base;
        public long length;
    }

    /** struct msghdr, LP64. */
    @Structure.FieldOrder({"name", "namelen", "iov", "iovlen", "control", "controllen", "flags"})
    public static final class MsgHdr extends Structure {
        public Pointer name;
        public int namelen;
        public Pointer iov;
        public long iovlen;
        public Pointer control;
        public long controllen;
        public int flags;
    }

    private static final class C {
        static {
            Libc.register(C.class);
        }

        static native int socketpair(int domain, int type, int protocol, int[] fds) throws LastErrorException;

        static native int socket(int domain, int type, int protocol) throws LastErrorException;

        static native long sendmsg(int fd, MsgHdr message, int flags) throws LastErrorException;
    }
}
