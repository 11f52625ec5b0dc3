package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * fcntl.h, sys/stat.h and linux/openat2.h: opening files, also relative to a directory and confined
 * to it, making directories and nodes, file status flags and seals.
 */
public final class Fcntl {
    public static final int O_RDONLY = 00;
    public static final int O_WRONLY = 01;
    public static final int O_RDWR = 02;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_TRUNC = 01000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DIRECTORY = Architecture.current().oDirectory;
    public static final int O_NOFOLLOW = Architecture.current().oNofollow;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_PATH = 010000000;

    public static final int AT_FDCWD = -100;
    public static final int AT_REMOVEDIR = 0x200;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_EMPTY_PATH = 0x1000;

    /** linux/openat2.h: how a path given to {@link #openat2} may be resolved. */
    public static final long RESOLVE_NO_XDEV = 0x01;
    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    public static final long RESOLVE_BENEATH = 0x08;
    public static final long RESOLVE_IN_ROOT = 0x10;
    /** linux/limits.h: the longest path a system call takes, its terminating NUL included. */
    public static final int PATH_MAX = 4096;
    /** Walks of one path before an EAGAIN of {@link #openat2} stands: each takes microseconds. */
    private static final int OPENAT2_ATTEMPTS = 1000;

    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int F_ADD_SEALS = 1033;
    public static final int F_SEAL_SEAL = 0x0001;
    public static final int F_SEAL_SHRINK = 0x0002;
    public static final int F_SEAL_GROW = 0x0004;
    public static final int F_SEAL_WRITE = 0x0008;
    /** Linux 6.3: no chmod of the exec bits. */
    public static final int F_SEAL_EXEC = 0x0020;

    // sys/stat.h: the file type bits of st_mode.
    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFIFO = 0010000;

    private Fcntl() {
    }

    /** open(2). */
    public static Fd open(String path, int flags, int mode) {
        return Fd.of(Libc.check(() -> C.open(path, flags, mode), "open(" + Libc.quote(path) + ")"));
    }

    /** openat(2): {@code path} relative to the directory {@code dir}. */
    public static Fd openat(Fd dir, String path, int flags, int mode) {
        return Fd.of(Libc.check(() -> C.openat(dir.number(), path, flags, mode), "openat(" + dir + ", " + Libc.quote(path) + ")"));
    }

    /** As {@link #openat} without O_CREAT, but null where nothing is at {@code path} (ENOENT), and no exception built for it. */
    public static Fd openatOrNull(Fd dir, String path, int flags) {
        int fd = Quiet.openat(dir.number(), path, flags, 0);
        if (fd >= 0) {
            return Fd.of(fd);
        }
        int errno = Native.getLastError();
        if (errno == Errno.ENOENT) {
            return null;
        }
        throw new LinuxException("openat(" + Libc.quote(path) + ")", errno);
    }

    /**
     * openat2(2), Linux 5.6: {@code path} below {@code dir}, resolved as {@code resolve} allows, e.g.
     * with {@link #RESOLVE_IN_ROOT} every absolute symlink and ".." stays inside {@code dir}.
     *
     * @param what the path as the user knows it, for the error message
     */
    public static Fd openat2(Fd dir, String path, int flags, long resolve, String what) {
        Fd fd = openat2OrNull(dir, path, flags, resolve, what);
        if (fd == null) {
            throw new LinuxException("openat2(" + Libc.quote(what) + ")", Errno.ENOENT);
        }
        return fd;
    }

    /**
     * As {@link #openat2}, but null where nothing is at {@code path} (ENOENT): for lookups whose miss is
     * routine (Docker's masked paths that a kernel does not have, at every start), which then cost no
     * exception and its stack traces, tens of microseconds each.
     */
    public static Fd openat2OrNull(Fd dir, String path, int flags, long resolve, String what) {
        return openat2OrNull(dir, terminated(path.getBytes(StandardCharsets.UTF_8)), flags, resolve, what);
    }

    /**
     * As {@link #openat2OrNull(Fd, String, int, long, String)} for a path of bytes (NUL-terminated), which
     * need not be text: a container's names are any bytes but '/' and NUL.
     */
    static Fd openat2OrNull(Fd dir, byte[] terminatedPath, int flags, long resolve, String what) {
        long[] how = {flags & 0xffffffffL, 0, resolve};
        for (int attempt = 1; ; attempt++) {
            long fd = Quiet.syscall(Architecture.SYS_OPENAT2, dir.number(), terminatedPath, how, OPEN_HOW_SIZE);
            if (fd >= 0) {
                return Fd.of((int) fd);
            }
            int errno = Native.getLastError();
            if (errno == Errno.ENOENT) {
                return null;
            }
            // EAGAIN: a rename or mount anywhere on the host raced a ".." (RESOLVE_IN_ROOT, RESOLVE_BENEATH),
            // and the kernel could not vouch that it stayed inside. Routine on a busy host, and a process in
            // any container can cause it at will; a new walk is the remedy openat2(2) names.
            if (errno != Errno.EAGAIN || attempt == OPENAT2_ATTEMPTS) {
                throw new LinuxException("openat2(" + Libc.quote(what) + ")", errno);
            }
        }
    }

    static byte[] terminated(byte[] bytes) {
        return java.util.Arrays.copyOf(bytes, bytes.length + 1);
    }

    public static void mkdirat(Fd dir, String name, int mode, String what) {
        Libc.check(() -> C.mkdirat(dir.number(), name, mode), "mkdir(" + Libc.quote(what) + ")");
    }

    public static void unlinkat(Fd dir, String name, int flags, String what) {
        Libc.check(() -> C.unlinkat(dir.number(), name, flags), "unlink(" + Libc.quote(what) + ")");
    }

    /** symlinkat(2): a link named {@code name} in {@code dir}, pointing at {@code target}. */
    public static void symlinkat(String target, Fd dir, String name) {
        Libc.check(() -> C.symlinkat(target, dir.number(), name), "symlink(" + Libc.quote(name) + " -> " + Libc.quote(target) + ")");
    }

    /** An empty regular file, a mount point for a file bind mount; an existing one is an error. */
    public static void createFileAt(Fd dir, String name, String what) {
        Fd created = Fd.of(Libc.check(() -> C.openat(dir.number(), name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644),
                "create(" + Libc.quote(what) + ")"));
        created.close();
    }

    /** The type bits of the file {@code fd} refers to (statx(2) with AT_EMPTY_PATH; also for O_PATH descriptors). */
    public static int fileType(Fd fd) {
        return stat(fd).type();
    }

    /** What statx(2) says of the file {@code fd} refers to, itself (a symlink opened O_PATH|O_NOFOLLOW stays one). */
    public static FileStat stat(Fd fd) {
        return statx(fd, STATX_BASIC_STATS, Statx::toFileStat);
    }

    /**
     * When the file {@code fd} refers to was made, in nanoseconds since the epoch (statx(2) STATX_BTIME),
     * or -1 where its filesystem does not keep it. What tells a file from a later one that got its
     * inode number once it was deleted.
     */
    public static long birthNanos(Fd fd) {
        return statx(fd, STATX_BTIME, Statx::birthNanos);
    }

    /**
     * Whether the file {@code fd} refers to is the root of a mount: a mount point, as seen from any mount
     * namespace (statx(2) STATX_ATTR_MOUNT_ROOT, Linux 5.8). A process outside the namespace the mount is
     * in may unlink or rename such a file, which takes the mount away there; one inside may not (EBUSY).
     */
    public static boolean isMountRoot(Fd fd) {
        return statx(fd, STATX_BASIC_STATS, Statx::isMountRoot);
    }

    /** statx(2) of the file {@code fd} refers to, itself, asking for {@code mask}; {@code read} takes what it wrote. */
    private static <T> T statx(Fd fd, int mask, java.util.function.Function<Statx, T> read) {
        Statx statx = Statx.borrow();
        try {
            Libc.check(() -> C.statx(fd.number(), "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, mask, statx), "statx(" + fd + ")");
            return read.apply(statx);
        } finally {
            Statx.giveBack(statx);
        }
    }

    /**
     * A file's type, permissions, owner, size, modification time and device numbers.
     *
     * @param mode  st_mode: type ({@link #S_IFMT}) and permission bits
     * @param uid   the owner, unsigned (ids run to 2^32 - 2)
     * @param links how many hard links the file has
     * @param inode the file's number on its filesystem, which {@code device} names (major in the high half)
     */
    public record FileStat(int mode, long uid, long gid, long size, long mtimeSeconds, int mtimeNanos, int rdevMajor, int rdevMinor,
                           long links, long inode, long device) {
        public int type() {
            return mode & S_IFMT;
        }

        public int permissions() {
            return mode & 07777;
        }

        public boolean isDirectory() {
            return type() == S_IFDIR;
        }

        public boolean isSymlink() {
            return type() == S_IFLNK;
        }

        public boolean isRegularFile() {
            return type() == S_IFREG;
        }

        /** An overlayfs whiteout: a character device 0/0, which marks a file deleted from the layers below. */
        public boolean isWhiteout() {
            return type() == S_IFCHR && rdevMajor == 0 && rdevMinor == 0;
        }
    }

    /** readlinkat(2) with an empty path: the target of the symlink {@code link} (opened O_PATH|O_NOFOLLOW). */
    public static String readlink(Fd link) {
        byte[] buffer = new byte[4096];
        int n = (int) Libc.checkLong(() -> C.readlinkat(link.number(), "", buffer, buffer.length), "readlink(" + link + ")");
        return new String(buffer, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** fchmod(2). */
    public static void chmod(Fd fd, int mode, String what) {
        Libc.check(() -> C.fchmod(fd.number(), mode), "chmod(" + Libc.quote(what) + ", 0" + Integer.toOctalString(mode) + ")");
    }

    /** futimens(2): the access and modification times. */
    public static void setTimes(Fd fd, long seconds, int nanos, String what) {
        long[] times = {seconds, nanos, seconds, nanos};
        Libc.check(() -> C.futimens(fd.number(), times), "futimens(" + Libc.quote(what) + ")");
    }

    public static int fcntl(Fd fd, int command, int argument) {
        return Libc.check(() -> C.fcntl(fd.number(), command, argument), "fcntl(" + fd + ", " + command + ")");
    }

    static final int STATX_BASIC_STATS = 0x7ff;
    static final int STATX_BTIME = 0x800;

    /**
     * struct open_how of linux/openat2.h is three u64, {flags, mode, resolve}: passed as a long[3]. A JNA
     * Structure per call cost more than the call itself (native memory, a cleaner, layout by reflection),
     * and a container's setup opens dozens of paths this way.
     */
    private static final long OPEN_HOW_SIZE = 3 * Long.BYTES;

    /**
     * struct statx (linux/stat.h), the same on every architecture; 256 bytes, the tail reserved. Its
     * fields give the layout only: a call's results are read with {@link #toFileStat()}, and the fields
     * themselves stay unset.
     */
    @Structure.FieldOrder({"stx_mask", "stx_blksize", "stx_attributes", "stx_nlink", "stx_uid", "stx_gid", "stx_mode",
            "spare0", "stx_ino", "stx_size", "stx_blocks", "stx_attributes_mask", "stx_atime", "stx_btime", "stx_ctime",
            "stx_mtime_sec", "stx_mtime_nsec", "stx_mtime_reserved", "stx_rdev_major", "stx_rdev_minor", "stx_dev_major",
            "stx_dev_minor", "rest"})
    public static final class Statx extends Structure {
        /**
         * Free buffers, reused: a Structure is costly to make (native memory, a cleaner, its layout
         * derived by reflection for its array fields), more than the call, and statx runs per file of a
         * layer and a dozen times per container setup, each on a new thread. The pool holds at most as
         * many as threads ever called at once. Never synchronized automatically: see toFileStat().
         */
        private static final ConcurrentLinkedQueue<Statx> FREE = new ConcurrentLinkedQueue<>();

        public int stx_mask;
        public int stx_blksize;
        public long stx_attributes;
        public int stx_nlink;
        public int stx_uid;
        public int stx_gid;
        public short stx_mode;
        public short spare0;
        public long stx_ino;
        public long stx_size;
        public long stx_blocks;
        public long stx_attributes_mask;
        public byte[] stx_atime = new byte[16];
        public byte[] stx_btime = new byte[16];
        public byte[] stx_ctime = new byte[16];
        public long stx_mtime_sec;
        public int stx_mtime_nsec;
        public int stx_mtime_reserved;
        public int stx_rdev_major;
        public int stx_rdev_minor;
        public int stx_dev_major;
        public int stx_dev_minor;
        public byte[] rest = new byte[256 - 144];

        /** A buffer for one call; give it back with {@link #giveBack} once read. */
        static Statx borrow() {
            Statx statx = FREE.poll();
            if (statx == null) {
                statx = new Statx();
                statx.setAutoSynch(false);
                statx.getPointer(); // allocates it now: without automatic writes, JNA would pass a null pointer
            }
            return statx;
        }

        static void giveBack(Statx statx) {
            FREE.offer(statx);
        }

        /** Where the fields FileStat takes lie, as this Structure lays them out. */
        private static final Offsets OFFSETS = new Statx().offsets();

        private record Offsets(int mode, int uid, int gid, int size, int mtimeSec, int mtimeNsec, int rdevMajor, int rdevMinor,
                               int nlink, int ino, int devMajor, int devMinor) {
        }

        private Offsets offsets() {
            return new Offsets(fieldOffset("stx_mode"), fieldOffset("stx_uid"), fieldOffset("stx_gid"), fieldOffset("stx_size"),
                    fieldOffset("stx_mtime_sec"), fieldOffset("stx_mtime_nsec"), fieldOffset("stx_rdev_major"),
                    fieldOffset("stx_rdev_minor"), fieldOffset("stx_nlink"), fieldOffset("stx_ino"), fieldOffset("stx_dev_major"),
                    fieldOffset("stx_dev_minor"));
        }

        /** The birth time the last call wrote, in nanoseconds since the epoch; -1 if the filesystem gave none. */
        long birthNanos() {
            Pointer p = getPointer();
            if ((p.getInt(MASK) & STATX_BTIME) == 0) {
                return -1;
            }
            return p.getLong(BIRTH) * 1_000_000_000L + Integer.toUnsignedLong(p.getInt(BIRTH + Long.BYTES));
        }

        /** Whether the last call said the file is a mount's root (the kernel says whether it knows, in the attributes' mask). */
        boolean isMountRoot() {
            Pointer p = getPointer();
            return (p.getLong(ATTRIBUTES_MASK) & STATX_ATTR_MOUNT_ROOT) != 0 && (p.getLong(ATTRIBUTES) & STATX_ATTR_MOUNT_ROOT) != 0;
        }

        /** stx_mask, first; stx_btime, a struct statx_timestamp {s64 tv_sec; u32 tv_nsec; s32 reserved}. */
        private static final int MASK = 0;
        private static final Statx LAYOUT = new Statx();
        private static final int BIRTH = LAYOUT.fieldOffset("stx_btime");
        private static final int ATTRIBUTES = LAYOUT.fieldOffset("stx_attributes");
        private static final int ATTRIBUTES_MASK = LAYOUT.fieldOffset("stx_attributes_mask");
        /** linux/stat.h: the file is the root of a mount. */
        private static final long STATX_ATTR_MOUNT_ROOT = 0x2000;

        /**
         * What the last call wrote, read straight from the native memory at the fields' offsets: read()
         * would copy all 21 fields by reflection, which costs more than the call.
         */
        FileStat toFileStat() {
            Pointer p = getPointer();
            Offsets o = OFFSETS;
            return new FileStat(p.getShort(o.mode()) & 0xffff, Integer.toUnsignedLong(p.getInt(o.uid())),
                    Integer.toUnsignedLong(p.getInt(o.gid())), p.getLong(o.size()), p.getLong(o.mtimeSec()), p.getInt(o.mtimeNsec()),
                    p.getInt(o.rdevMajor()), p.getInt(o.rdevMinor()), Integer.toUnsignedLong(p.getInt(o.nlink())), p.getLong(o.ino()),
                    Integer.toUnsignedLong(p.getInt(o.devMajor())) << 32 | Integer.toUnsignedLong(p.getInt(o.devMinor())));
        }
    }

    private static final class C {
        static {
            Libc.register(C.class);
        }

        static native int open(String path, int flags, int mode) throws LastErrorException;

        static native int openat(int dirfd, String path, int flags, int mode) throws LastErrorException;

        static native int mkdirat(int dirfd, String path, int mode) throws LastErrorException;

        static native int unlinkat(int dirfd, String path, int flags) throws LastErrorException;

        static native int symlinkat(String target, int dirfd, String path) throws LastErrorException;

        static native int statx(int dirfd, String path, int flags, int mask, Statx statx) throws LastErrorException;

        static native int fcntl(int fd, int command, int argument) throws LastErrorException;

        static native long readlinkat(int dirfd, String path, byte[] buffer, long size) throws LastErrorException;

        static native int fchmod(int fd, int mode) throws LastErrorException;

        static native int futimens(int fd, long[] times) throws LastErrorException;

    }

    /**
     * Calls whose failure is often expected: bound without LastErrorException, so a failure builds no
     * exception (JNA's costs two stack traces); the errno is read from {@code Native.getLastError()}.
     */
    private static final class Quiet {
        static {
            Libc.register(Quiet.class);
        }

        static native long syscall(long number, int dirfd, byte[] path, long[] how, long size);

        static native int openat(int dirfd, String path, int flags, int mode);
    }
}
