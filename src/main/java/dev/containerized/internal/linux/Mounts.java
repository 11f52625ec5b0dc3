package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;

import java.util.Map;

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
    /**
     * linux/magic.h: the kernel's own views (proc, sys, cgroupfs, debugfs and kin, and devpts), whose
     * files say and do what their reader's privileges allow, not what a file's bytes are.
     */
    private static final Map<Long, String> KERNEL_FILESYSTEMS = Map.ofEntries(
            Map.entry(PROC_SUPER_MAGIC, "proc"), Map.entry(0x62656572L, "sysfs"),
            Map.entry(0x27e0ebL, "cgroup"), Map.entry(0x63677270L, "cgroup2"),
            Map.entry(0x64626720L, "debugfs"), Map.entry(0x74726163L, "tracefs"),
            Map.entry(0x73636673L, "securityfs"), Map.entry(0xcafe4a11L, "bpf"),
            Map.entry(0x62656570L, "configfs"), Map.entry(0x6165676cL, "pstore"),
            Map.entry(0xde5e81e4L, "efivarfs"), Map.entry(0xf97cff8cL, "selinuxfs"),
            Map.entry(0x43415d53L, "smackfs"), Map.entry(0x1cd1L, "devpts"),
            Map.entry(0x6e736673L, "nsfs"));

    /** linux/mount.h: mount_setattr(2)'s attributes, and its flag for a whole tree of mounts. */
    public static final long MOUNT_ATTR_RDONLY = 0x1;
    public static final long MOUNT_ATTR_NOSUID = 0x2;
    public static final long MOUNT_ATTR_NODEV = 0x4;
    public static final long MOUNT_ATTR_NOEXEC = 0x8;
    public static final int AT_RECURSIVE = 0x8000;

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

    /**
     * mount_setattr(2), Linux 5.12: sets {@code attributes} (MOUNT_ATTR_*) on the mount at {@code path}
     * below {@code dir} ("" for {@code dir} itself), and with {@link #AT_RECURSIVE} on every mount below
     * it too. Never follows a symlink as the last component. ENOSYS on older kernels.
     */
    public static void setAttributes(Fd dir, String path, int flags, long attributes, String what) {
        setAttributes(dir.number(), path, flags, attributes, what);
    }

    private static void setAttributes(int dirfd, String path, int flags, long attributes, String what) {
        long[] mountAttr = {attributes, 0, 0, 0}; // attr_set, attr_clr, propagation, userns_fd
        int atFlags = flags | Fcntl.AT_SYMLINK_NOFOLLOW | (path.isEmpty() ? Fcntl.AT_EMPTY_PATH : 0);
        Libc.checkLong(() -> C.syscall(Architecture.SYS_MOUNT_SETATTR, dirfd, path, atFlags, mountAttr, mountAttr.length * 8L),
                "mount_setattr(" + Libc.quote(what) + ")");
    }

    /** The name of the kernel's own filesystem {@code fd} is on (see {@link #KERNEL_FILESYSTEMS}), else null. */
    public static String kernelFilesystem(Fd fd) {
        return KERNEL_FILESYSTEMS.get(filesystemType(fd));
    }

    /**
     * Sets {@code attributes} (MOUNT_ATTR_*: read-only, nosuid, nodev, noexec) on the mount {@code mount}
     * is the root of, and with {@code recursive} on every mount below it: by mount_setattr(2), or on a
     * kernel without it (before 5.12) by remounting that one mount, whose MS_* flags have the same values.
     */
    public static void restrict(Fd mount, boolean recursive, long attributes, String what) {
        if (canSetAttributes()) {
            setAttributes(mount, "", recursive ? AT_RECURSIVE : 0, attributes, what);
        } else {
            mountOn(null, mount, null, MS_BIND | MS_REMOUNT | attributes, null, what);
        }
    }

    /**
     * Whether this kernel has mount_setattr(2) (Linux 5.12): asked once, with a descriptor that cannot be
     * one and no attribute to set. Any answer but ENOSYS (EBADF, or 0 for nothing to do) means it has.
     */
    public static boolean canSetAttributes() {
        return SetAttributesProbe.SUPPORTED;
    }

    private static final class SetAttributesProbe {
        static final boolean SUPPORTED = probe();

        private static boolean probe() {
            try {
                setAttributes(-1, "", 0, 0, "probe");
                return true;
            } catch (LinuxException e) {
                return e.errno() != Errno.ENOSYS;
            }
        }
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
        Libc.checkLong(() -> C.syscall(Architecture.current().sysPivotRoot, newRoot, putOld),
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

        static native long syscall(long number, int dirfd, String path, int flags, long[] attr, long size) throws LastErrorException;

        static native int fstatfs(int fd, long[] statfs) throws LastErrorException;
    }
}
