package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;

/** sys/mount.h and sys/statfs.h. */
public final class Mounts {
    public static final long MS_RDONLY = 0x1;
    public static final long MS_NOSUID = 0x2;
    public static final long MS_NODEV = 0x4;
    public static final long MS_NOEXEC = 0x8;
    public static final long MS_REMOUNT = 0x20;
    public static final long MS_BIND = 0x1000;
    public static final long MS_REC = 0x4000;
    public static final long MS_PRIVATE = 0x40000;
    public static final int MNT_DETACH = 0x2;

    /** linux/magic.h */
    public static final long PROC_SUPER_MAGIC = 0x9fa0;

    private Mounts() {
    }

    /** mount(2). */
    public static void mount(String source, String target, String fstype, long flags, String data) {
        Libc.check(() -> C.mount(source, target, fstype, flags, data),
                "mount(" + Libc.quote(source) + ", " + Libc.quote(target) + ", " + Libc.quote(fstype) + ")");
    }

    /** mount(2) on a directory or file opened before (O_PATH): no path is looked up again, so no symlink is followed. */
    public static void mountOn(String source, Fd target, String fstype, long flags, String data, String what) {
        Libc.check(() -> C.mount(source, target.procPath(), fstype, flags, data),
                "mount(" + Libc.quote(source) + ", " + Libc.quote(what) + ", " + Libc.quote(fstype) + ")");
    }

    /** A bind mount of {@code source} (a descriptor, see {@link #mountOn}) on {@code target}. */
    public static void bind(Fd source, Fd target, boolean recursive, String what) {
        Libc.check(() -> C.mount(source.procPath(), target.procPath(), null, MS_BIND | (recursive ? MS_REC : 0), null),
                "mount(--bind, " + Libc.quote(what) + ")");
    }

    /** umount2(2). */
    public static void umount2(String target, int flags) {
        Libc.check(() -> C.umount2(target, flags), "umount2(" + Libc.quote(target) + ")");
    }

    /** pivot_root(2), which glibc does not wrap. */
    public static void pivotRoot(String newRoot, String putOld) {
        Libc.checkLong(() -> C.syscall(Architecture.CURRENT.sysPivotRoot, newRoot, putOld),
                "pivot_root(" + Libc.quote(newRoot) + ", " + Libc.quote(putOld) + ")");
    }

    /** The f_type of the filesystem {@code fd} is on (fstatfs(2)). */
    public static long filesystemType(Fd fd) {
        long[] statfs = new long[15]; // struct statfs is 120 bytes on x86_64 and aarch64; f_type is first
        Libc.check(() -> C.fstatfs(fd.number(), statfs), "fstatfs(" + fd + ")");
        return statfs[0];
    }

    /** Room left on a filesystem, as fstatfs(2) tells it to root (reserved blocks count as free). */
    public record Space(long freeBytes, long freeInodes, long totalInodes) {
    }

    /** The free bytes and inodes of the filesystem {@code fd} is on; {@code totalInodes} is 0 where it has no fixed count. */
    public static Space space(Fd fd) {
        long[] statfs = new long[15]; // f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, f_fsid, f_namelen, f_frsize, ...
        Libc.check(() -> C.fstatfs(fd.number(), statfs), "fstatfs(" + fd + ")");
        long fragment = statfs[9] > 0 ? statfs[9] : statfs[1];
        return new Space(statfs[3] * fragment, statfs[6], statfs[5]);
    }

    private static final class C {
        static {
            Libc.register(C.class);
        }

        static native int mount(String source, String target, String fstype, long flags, String data) throws LastErrorException;

        static native int umount2(String target, int flags) throws LastErrorException;

        static native long syscall(long number, String a, String b) throws LastErrorException;

        static native int fstatfs(int fd, long[] statfs) throws LastErrorException;
    }
}
