package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;

/** sched.h: namespaces of the calling thread. */
public final class Sched {
    public static final int CLONE_FS = 0x00000200;
    public static final int CLONE_NEWNS = 0x00020000;
    public static final int CLONE_NEWCGROUP = 0x02000000;
    public static final int CLONE_NEWUTS = 0x04000000;
    public static final int CLONE_NEWIPC = 0x08000000;
    public static final int CLONE_NEWUSER = 0x10000000;
    public static final int CLONE_NEWPID = 0x20000000;
    public static final int CLONE_NEWNET = 0x40000000;

    private Sched() {
    }

    /** unshare(2) for the calling thread: EPERM without CAP_SYS_ADMIN, EINVAL for CLONE_NEWNS while sharing its fs. */
    public static void unshare(int flags) {
        Libc.check(() -> C.unshare(flags), "unshare(0x" + Integer.toHexString(flags) + ")");
    }

    /** setns(2): moves the calling thread into the namespace {@code fd} refers to. */
    public static void setns(Fd namespace, int nstype) {
        Libc.check(() -> C.setns(namespace.number(), nstype), "setns(" + namespace + ", 0x" + Integer.toHexString(nstype) + ")");
    }

    private static final class C {
        static {
            Libc.register(C.class);
        }

        static native int unshare(int flags) throws LastErrorException;

        static native int setns(int fd, int nstype) throws LastErrorException;
    }
}
