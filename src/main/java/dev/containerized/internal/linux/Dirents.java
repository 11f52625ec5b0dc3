package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * dirent.h: the entries of a directory read through its descriptor, with their names as the raw bytes
 * the kernel gives (a name a container made need not be text in any charset), and the *at calls that
 * take such names. Walking a tree this way, descriptor by descriptor, no path grows with its depth.
 */
public final class Dirents {
    public static final int DT_UNKNOWN = 0;
    public static final int DT_DIR = 4;
    public static final int DT_REG = 8;
    public static final int DT_LNK = 10;
    /** struct dirent64 (glibc, x86_64 and aarch64 alike): d_ino u64, d_off s64, d_reclen u16, d_type u8, d_name. */
    private static final int D_TYPE = 18;
    private static final int D_NAME = 19;
    private static final int F_DUPFD_CLOEXEC = 1030;

    private Dirents() {
    }

    /** A directory entry: its name's bytes (no NUL) and its DT_ type, DT_UNKNOWN where the filesystem does not say. */
    public record Entry(byte[] name, int type) {
        @Override
        public String toString() {
            return new String(name, StandardCharsets.UTF_8);
        }
    }

    /** Every entry of the directory {@code dir} but "." and "..", read from its start. */
    public static List<Entry> list(Fd dir) {
        // fdopendir takes the descriptor it is given, and closedir closes it: give it a copy.
        int copy = Libc.check(() -> C.fcntl(dir.number(), F_DUPFD_CLOEXEC, 0), "fcntl(" + dir + ", F_DUPFD_CLOEXEC)");
        Pointer stream;
        try {
            stream = C.fdopendir(copy);
        } catch (LastErrorException e) {
            Unistd.closeQuietly(copy);
            throw new LinuxException("fdopendir(" + dir + ")", e.getErrorCode());
        }
        try {
            C.rewinddir(stream);
            List<Entry> entries = new ArrayList<>();
            Pointer entry;
            while ((entry = C.readdir64(stream)) != null) {
                // indexOf counts from the offset it starts at: the name's length.
                byte[] name = entry.getByteArray(D_NAME, (int) entry.indexOf(D_NAME, (byte) 0));
                if (!isDotOrDotDot(name)) {
                    entries.add(new Entry(name, entry.getByte(D_TYPE) & 0xff));
                }
            }
            return entries;
        } finally {
            C.closedir(stream);
        }
    }

    /** openat(2) of a directory below {@code dir}, never through a symlink. */
    public static Fd openDirectory(Fd dir, byte[] name) {
        return Fd.of(Libc.check(() -> C.openat(dir.number(), Fcntl.terminated(name), Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_NOFOLLOW
                | Fcntl.O_CLOEXEC, 0), "openat(" + dir + ", " + Libc.quote(new String(name, StandardCharsets.UTF_8)) + ")"));
    }

    /**
     * {@code path/name}: the path, below some directory a walk started in, of the entry {@code name} of
     * the directory at {@code path}; {@code name} itself where {@code path} is that directory (empty).
     */
    public static byte[] childPath(byte[] path, byte[] name) {
        if (path.length == 0) {
            return name;
        }
        byte[] child = java.util.Arrays.copyOf(path, path.length + 1 + name.length);
        child[path.length] = '/';
        System.arraycopy(name, 0, child, path.length + 1, name.length);
        return child;
    }

    /** openat(2) of the entry {@code name} of {@code dir}, with the flags (and, with O_CREAT, the mode) given. */
    public static Fd openat(Fd dir, byte[] name, int flags, int mode) {
        return Fd.of(Libc.check(() -> C.openat(dir.number(), Fcntl.terminated(name), flags, mode), "openat(" + dir + ", " + quote(name) + ")"));
    }

    /** As {@link #openat}, but null where nothing is there (ENOENT). */
    public static Fd openatOrNull(Fd dir, byte[] name, int flags) {
        try {
            return openat(dir, name, flags, 0);
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENOENT) {
                return null;
            }
            throw e;
        }
    }

    /**
     * openat2(2) of {@code relative} (names joined by '/', bytes as they are, no text needed) below
     * {@code top}, never through a symlink nor above {@code top}; null where nothing is there (ENOENT).
     * Walked again on EAGAIN, as {@link Fcntl#openat2} is.
     */
    public static Fd openBeneath(Fd top, byte[] relative, int flags) {
        return openBeneath(top, relative, flags, 0);
    }

    /** As {@link #openBeneath(Fd, byte[], int)}, resolved with the RESOLVE_ flags {@code resolve} as well (RESOLVE_NO_XDEV). */
    public static Fd openBeneath(Fd top, byte[] relative, int flags, long resolve) {
        return Fcntl.openat2OrNull(top, relative.length == 0 ? new byte[] {'.', 0} : Fcntl.terminated(relative),
                flags | Fcntl.O_CLOEXEC, Fcntl.RESOLVE_BENEATH | Fcntl.RESOLVE_NO_SYMLINKS | resolve,
                new String(relative, StandardCharsets.UTF_8));
    }

    /** unlinkat(2); {@link Fcntl#AT_REMOVEDIR} for a directory. */
    public static void unlink(Fd dir, byte[] name, int flags) {
        Libc.check(() -> C.unlinkat(dir.number(), Fcntl.terminated(name), flags),
                "unlinkat(" + dir + ", " + Libc.quote(new String(name, StandardCharsets.UTF_8)) + ")");
    }

    /** mkdirat(2). */
    public static void mkdir(Fd dir, byte[] name, int mode) {
        Libc.check(() -> C.mkdirat(dir.number(), Fcntl.terminated(name), mode), "mkdirat(" + quote(name) + ")");
    }

    /** symlinkat(2): a link {@code name} in {@code dir} to {@code target}, both as the bytes they are. */
    public static void symlink(byte[] target, Fd dir, byte[] name) {
        Libc.check(() -> C.symlinkat(Fcntl.terminated(target), dir.number(), Fcntl.terminated(name)),
                "symlinkat(" + quote(name) + " -> " + quote(target) + ")");
    }

    /** linkat(2) with AT_EMPTY_PATH: a new name {@code name} in {@code dir} for the file {@code file} is open on. */
    public static void link(Fd file, Fd dir, byte[] name) {
        Libc.check(() -> C.linkat(file.number(), new byte[] {0}, dir.number(), Fcntl.terminated(name), Fcntl.AT_EMPTY_PATH),
                "linkat(" + quote(name) + ")");
    }

    /** renameat(2) within {@code dir}: {@code to} replaced, if there is one, in one step (not a directory by a file). */
    public static void rename(Fd dir, byte[] from, byte[] to) {
        Libc.check(() -> C.renameat(dir.number(), Fcntl.terminated(from), dir.number(), Fcntl.terminated(to)),
                "rename(" + quote(to) + ")");
    }

    /** readlinkat(2) with an empty path: the target of the symlink {@code link} (opened O_PATH|O_NOFOLLOW), as its bytes. */
    public static byte[] readlink(Fd link) {
        byte[] buffer = new byte[Fcntl.PATH_MAX];
        int n = (int) Libc.checkLong(() -> C.readlinkat(link.number(), new byte[] {0}, buffer, buffer.length), "readlink(" + link + ")");
        return java.util.Arrays.copyOf(buffer, n);
    }

    private static String quote(byte[] name) {
        return Libc.quote(new String(name, StandardCharsets.UTF_8));
    }

    private static boolean isDotOrDotDot(byte[] name) {
        return name.length == 1 && name[0] == '.' || name.length == 2 && name[0] == '.' && name[1] == '.';
    }

    private static final class C {
        static {
            Libc.register(C.class);
        }

        static native int fcntl(int fd, int command, int argument) throws LastErrorException;

        static native Pointer fdopendir(int fd) throws LastErrorException;

        static native void rewinddir(Pointer stream);

        static native Pointer readdir64(Pointer stream);

        static native int closedir(Pointer stream);

        static native int openat(int dirfd, byte[] path, int flags, int mode) throws LastErrorException;

        static native int unlinkat(int dirfd, byte[] path, int flags) throws LastErrorException;

        static native int mkdirat(int dirfd, byte[] path, int mode) throws LastErrorException;

        static native int symlinkat(byte[] target, int dirfd, byte[] path) throws LastErrorException;

        static native int linkat(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags) throws LastErrorException;

        static native int renameat(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath) throws LastErrorException;

        static native long readlinkat(int dirfd, byte[] path, byte[] buffer, long size) throws LastErrorException;
    }
}
