package dev.containerized.internal.linux;

import java.util.Map;

/** errno names, so that an error reads {@code EINVAL (Invalid argument)} instead of {@code 22}. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int ECHILD = 10;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int EPIPE = 32;
    public static final int ENOSYS = 38;
    public static final int ELOOP = 40;
    public static final int EPROTO = 71;
    public static final int EXDEV = 18;
    public static final int ECONNABORTED = 103;
    public static final int EMLINK = 31;
    public static final int ENODATA = 61;
    public static final int EOPNOTSUPP = 95;
    public static final int ECONNRESET = 104;

    // asm-generic/errno-base.h and errno.h: the same numbers on x86_64 and aarch64.
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(3, "ESRCH"), Map.entry(4, "EINTR"),
            Map.entry(5, "EIO"), Map.entry(6, "ENXIO"), Map.entry(7, "E2BIG"), Map.entry(8, "ENOEXEC"),
            Map.entry(9, "EBADF"), Map.entry(10, "ECHILD"), Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"),
            Map.entry(13, "EACCES"), Map.entry(14, "EFAULT"), Map.entry(15, "ENOTBLK"), Map.entry(16, "EBUSY"),
            Map.entry(17, "EEXIST"), Map.entry(18, "EXDEV"), Map.entry(19, "ENODEV"), Map.entry(20, "ENOTDIR"),
            Map.entry(21, "EISDIR"), Map.entry(22, "EINVAL"), Map.entry(23, "ENFILE"), Map.entry(24, "EMFILE"),
            Map.entry(25, "ENOTTY"), Map.entry(26, "ETXTBSY"), Map.entry(27, "EFBIG"), Map.entry(28, "ENOSPC"),
            Map.entry(29, "ESPIPE"), Map.entry(30, "EROFS"), Map.entry(31, "EMLINK"), Map.entry(32, "EPIPE"),
            Map.entry(36, "ENAMETOOLONG"), Map.entry(38, "ENOSYS"), Map.entry(39, "ENOTEMPTY"),
            Map.entry(40, "ELOOP"), Map.entry(71, "EPROTO"), Map.entry(75, "EOVERFLOW"), Map.entry(95, "EOPNOTSUPP"),
            Map.entry(97, "EAFNOSUPPORT"), Map.entry(98, "EADDRINUSE"), Map.entry(103, "ECONNABORTED"), Map.entry(104, "ECONNRESET"),
            Map.entry(110, "ETIMEDOUT"), Map.entry(111, "ECONNREFUSED"), Map.entry(115, "EINPROGRESS"));

    private Errno() {
    }

    public static String name(int errno) {
        return NAMES.getOrDefault(errno, "errno " + errno);
    }

    /** {@code EINVAL (Invalid argument)}. */
    public static String describe(int errno) {
        String message;
        try {
            message = C.strerror(errno);
        } catch (RuntimeException | LinkageError e) {
            message = null;
        }
        return message == null ? name(errno) : name(errno) + " (" + message + ")";
    }

    private static final class C {
        static {
            Libc.register(C.class);
        }

        static native String strerror(int errnum);
    }
}
