package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * File system calls on paths given as bytes, for unpacking image layers: file names in a layer are
 * bytes, and going through {@code java.nio.file} would re-encode them with the JVM's locale (ASCII
 * under {@code LANG=C}, where every non-ASCII name would be mangled). Each wrapper returns normally
 * or throws a {@link LinuxException} that names the call, the path and the errno name:
 * {@code mknod("/x/y"): EPERM (Operation not permitted)}.
 * <p>
 * Paths are passed without the terminating NUL; the wrappers add it. Calls that could follow a
 * symbolic link either refuse to ({@code Fcntl.O_NOFOLLOW}, {@code Fcntl.AT_SYMLINK_NOFOLLOW}, the {@code l*}
 * calls) or are documented as following it, for callers that know the path is not a link.
 */
public final class FileCalls {
    /** linux/limits.h XATTR_SIZE_MAX: the largest value an extended attribute can have. */
    private static final int XATTR_SIZE_MAX = 65536;

    /** The glibc calls, mapped with byte-array paths (NUL-terminated by the wrappers). */
    interface Calls extends Library {
        Calls C = Native.load(Platform.C_LIBRARY_NAME, Calls.class);

        /** open(2): a descriptor, or -1 and errno (ELOOP with Fcntl.O_NOFOLLOW on a symlink, EEXIST with Fcntl.O_EXCL). */
        int open(byte[] path, int flags, int mode) throws LastErrorException;

        /** read(2) into native memory (JNA would copy a whole byte[] in and out): a byte count, or -1 and errno. */
        long read(int fd, Pointer buffer, long count) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        /** symlink(2), link(2) (does not follow a symlink given as old path), unlink(2), rmdir(2): 0, or -1 and errno. */
        int symlink(byte[] target, byte[] linkPath) throws LastErrorException;

        int link(byte[] oldPath, byte[] newPath) throws LastErrorException;

        int unlink(byte[] path) throws LastErrorException;

        int rmdir(byte[] path) throws LastErrorException;

        /** syscall(2), for mknodat: 0, or -1 and errno. */
        long syscall(long number, Object... args) throws LastErrorException;

        /** lsetxattr(2): 0, or -1 and errno (EPERM for trusted.* without CAP_SYS_ADMIN, Errno.EOPNOTSUPP). */
        int lsetxattr(byte[] path, byte[] name, byte[] value, long size, int flags) throws LastErrorException;

        /** lgetxattr(2), llistxattr(2): the value's size, or -1 and errno (Errno.ENODATA: no such attribute). */
        long lgetxattr(byte[] path, byte[] name, byte[] value, long size) throws LastErrorException;

        long llistxattr(byte[] path, byte[] list, long size) throws LastErrorException;

        /** statx(2), glibc 2.28+: 0, or -1 and errno. */
        int statx(int dirfd, byte[] path, int flags, int mask, Fcntl.Statx statx) throws LastErrorException;

        /** readlink(2): the target's length (not NUL-terminated), or -1 and errno. */
        long readlink(byte[] path, byte[] buffer, long size) throws LastErrorException;

    }

    /**
     * The calls made once or more per file of a layer, directly mapped: JNA's interface mapping costs
     * about twice as much per call (a proxy and reflection), which shows on layers of many small files.
     */
    static final class PerFile {
        static {
            Native.register(Platform.C_LIBRARY_NAME);
        }

        private PerFile() {
        }

        /** open(2): a descriptor, or -1 and errno (ELOOP with Fcntl.O_NOFOLLOW on a symlink, EEXIST with Fcntl.O_EXCL). */
        static native int open(byte[] path, int flags, int mode) throws LastErrorException;

        /** write(2) from native memory: a byte count, or -1 and errno. */
        static native long write(int fd, Pointer buffer, long count) throws LastErrorException;

        /** fchown(2), lchown(2) (a symlink itself), fchmod(2), chmod(2) (follows symlinks): 0, or -1 and errno. */
        static native int fchown(int fd, int uid, int gid) throws LastErrorException;

        static native int lchown(byte[] path, int uid, int gid) throws LastErrorException;

        static native int fchmod(int fd, int mode) throws LastErrorException;

        static native int chmod(byte[] path, int mode) throws LastErrorException;

        /** futimens(3), utimensat(2) with {@code times = {atime_s, atime_ns, mtime_s, mtime_ns}}: 0, or -1 and errno. */
        static native int futimens(int fd, long[] times) throws LastErrorException;

        static native int utimensat(int dirfd, byte[] path, long[] times, int flags) throws LastErrorException;

        /** close(2), mkdir(2): 0, or -1 and errno. */
        static native int close(int fd) throws LastErrorException;

        static native int mkdir(byte[] path, int mode) throws LastErrorException;
    }

    private static final Calls C = Calls.C;
    private static final ThreadLocal<Memory> IO_BUFFER = new ThreadLocal<>();

    private FileCalls() {
    }

    /** A path's bytes as the JVM's own file calls would pass them to the kernel. */
    public static byte[] bytes(Path path) {
        return path.toString().getBytes(Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8")));
    }

    /** open(path, Fcntl.O_WRONLY|Fcntl.O_CREAT|Fcntl.O_EXCL|Fcntl.O_NOFOLLOW|Fcntl.O_CLOEXEC, mode): a new file, never an existing one or a link. */
    public static int createFile(byte[] path, int mode) {
        try {
            return PerFile.open(z(path), Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, mode);
        } catch (LastErrorException e) {
            throw fail("open", path, e);
        }
    }

    /** open(path, Fcntl.O_RDONLY|Fcntl.O_NOFOLLOW|Fcntl.O_CLOEXEC): ELOOP if the last component is a symlink. */
    public static int openForReading(byte[] path) {
        try {
            return C.open(z(path), Fcntl.O_RDONLY | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw fail("open", path, e);
        }
    }

    /** Reads up to {@code count} bytes into the start of {@code buffer}; 0 at end of file. */
    public static int read(int fd, byte[] buffer, int count, byte[] pathForErrors) {
        Memory memory = ioBuffer(count);
        while (true) {
            try {
                int n = (int) C.read(fd, memory, count);
                memory.read(0, buffer, 0, n);
                return n;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw fail("read", pathForErrors, e);
                }
            }
        }
    }

    /** Writes all {@code count} bytes from the start of {@code buffer}, across short writes. */
    public static void writeFully(int fd, byte[] buffer, int count, byte[] pathForErrors) {
        Memory memory = ioBuffer(count);
        memory.write(0, buffer, 0, count);
        long done = 0;
        while (done < count) {
            try {
                done += PerFile.write(fd, memory.share(done), count - done);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw fail("write", pathForErrors, e);
                }
            }
        }
    }

    /** This thread's native buffer for read and write, grown to {@code size} when needed. */
    private static Memory ioBuffer(int size) {
        Memory buffer = IO_BUFFER.get();
        if (buffer == null || buffer.size() < size) {
            buffer = new Memory(Math.max(size, 64 * 1024));
            IO_BUFFER.set(buffer);
        }
        return buffer;
    }

    public static void close(int fd, byte[] pathForErrors) {
        try {
            PerFile.close(fd);
        } catch (LastErrorException e) {
            throw fail("close", pathForErrors, e);
        }
    }

    public static void closeQuietly(int fd) {
        try {
            C.close(fd);
        } catch (LastErrorException ignored) {
            // Already failing: the first error is the one to report.
        }
    }

    public static void mkdir(byte[] path, int mode) {
        try {
            PerFile.mkdir(z(path), mode);
        } catch (LastErrorException e) {
            throw fail("mkdir", path, e);
        }
    }

    public static void symlink(byte[] target, byte[] linkPath) {
        try {
            C.symlink(z(target), z(linkPath));
        } catch (LastErrorException e) {
            throw new LinuxException("symlink(" + show(target) + ", " + show(linkPath) + ")", e.getErrorCode());
        }
    }

    /** link(2): a new name for {@code existing}'s inode; a symlink given as {@code existing} is linked itself, not followed. */
    public static void link(byte[] existing, byte[] newPath) {
        try {
            C.link(z(existing), z(newPath));
        } catch (LastErrorException e) {
            throw new LinuxException("link(" + show(existing) + ", " + show(newPath) + ")", e.getErrorCode());
        }
    }

    /** mknod(2) of a device, fifo or whiteout; {@code mode} includes the file type bits (S_IFCHR …). */
    public static void mknod(byte[] path, int mode, int major, int minor) {
        // The system call takes the kernel's 32-bit encoding (new_encode_dev), not glibc's 64-bit dev_t.
        int dev = (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12);
        try {
            C.syscall(Architecture.current().sysMknodat, Fcntl.AT_FDCWD, z(path), mode, dev);
        } catch (LastErrorException e) {
            throw fail("mknod", path, e);
        }
    }

    public static void unlink(byte[] path) {
        try {
            C.unlink(z(path));
        } catch (LastErrorException e) {
            throw fail("unlink", path, e);
        }
    }

    public static void rmdir(byte[] path) {
        try {
            C.rmdir(z(path));
        } catch (LastErrorException e) {
            throw fail("rmdir", path, e);
        }
    }

    /** lchown(2): the owner of the path itself, a symlink included. */
    public static void lchown(byte[] path, long uid, long gid) {
        try {
            PerFile.lchown(z(path), (int) uid, (int) gid);
        } catch (LastErrorException e) {
            throw fail("lchown", path, e);
        }
    }

    public static void fchown(int fd, long uid, long gid, byte[] pathForErrors) {
        try {
            PerFile.fchown(fd, (int) uid, (int) gid);
        } catch (LastErrorException e) {
            throw fail("fchown", pathForErrors, e);
        }
    }

    /** chmod(2), which follows a symlink: only for paths the caller knows are not links. */
    public static void chmod(byte[] path, int mode) {
        try {
            PerFile.chmod(z(path), mode);
        } catch (LastErrorException e) {
            throw fail("chmod", path, e);
        }
    }

    public static void fchmod(int fd, int mode, byte[] pathForErrors) {
        try {
            PerFile.fchmod(fd, mode);
        } catch (LastErrorException e) {
            throw fail("fchmod", pathForErrors, e);
        }
    }

    /** Sets access and modification time of the path itself (a symlink is not followed). */
    public static void setTimes(byte[] path, long seconds, int nanos) {
        try {
            PerFile.utimensat(Fcntl.AT_FDCWD, z(path), new long[] {seconds, nanos, seconds, nanos}, Fcntl.AT_SYMLINK_NOFOLLOW);
        } catch (LastErrorException e) {
            throw fail("utimensat", path, e);
        }
    }

    public static void setTimes(int fd, long seconds, int nanos, byte[] pathForErrors) {
        try {
            PerFile.futimens(fd, new long[] {seconds, nanos, seconds, nanos});
        } catch (LastErrorException e) {
            throw fail("futimens", pathForErrors, e);
        }
    }

    /** lsetxattr(2) on the path itself. */
    public static void setXattr(byte[] path, byte[] name, byte[] value) {
        try {
            C.lsetxattr(z(path), z(name), value, value.length, 0);
        } catch (LastErrorException e) {
            throw new LinuxException("lsetxattr(" + show(path) + ", \"" + new String(name, StandardCharsets.UTF_8) + "\")",
                    e.getErrorCode());
        }
    }

    /** lgetxattr(2): the value, or empty when the path has no such attribute (or the file system none at all). */
    public static Optional<byte[]> getXattr(byte[] path, byte[] name) {
        byte[] value = new byte[XATTR_SIZE_MAX];
        try {
            int n = (int) C.lgetxattr(z(path), z(name), value, value.length);
            return Optional.of(Arrays.copyOf(value, n));
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.ENODATA || e.getErrorCode() == Errno.EOPNOTSUPP) {
                return Optional.empty();
            }
            throw new LinuxException("lgetxattr(" + show(path) + ", \"" + new String(name, StandardCharsets.UTF_8) + "\")",
                    e.getErrorCode());
        }
    }

    /** llistxattr(2): the names of the path's extended attributes. */
    public static List<byte[]> listXattrs(byte[] path) {
        byte[] list = new byte[XATTR_SIZE_MAX];
        int n;
        try {
            n = (int) C.llistxattr(z(path), list, list.length);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.EOPNOTSUPP) {
                return List.of();
            }
            throw fail("llistxattr", path, e);
        }
        List<byte[]> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (list[i] == 0) {
                names.add(Arrays.copyOfRange(list, start, i));
                start = i + 1;
            }
        }
        return names;
    }

    /** lstat through statx(2): empty when nothing is at the path (ENOENT); a symlink is described, not followed. */
    public static Optional<Fcntl.FileStat> lstat(byte[] path) {
        Fcntl.Statx statx = Fcntl.Statx.borrow();
        try {
            C.statx(Fcntl.AT_FDCWD, z(path), Fcntl.AT_SYMLINK_NOFOLLOW, Fcntl.STATX_BASIC_STATS, statx);
            return Optional.of(statx.toFileStat());
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.ENOENT) {
                return Optional.empty();
            }
            throw fail("statx", path, e);
        } finally {
            Fcntl.Statx.giveBack(statx);
        }
    }

    /** readlink(2): the link's target as bytes. */
    public static byte[] readlink(byte[] path) {
        byte[] buffer = new byte[4097];
        try {
            int n = (int) C.readlink(z(path), buffer, buffer.length);
            return Arrays.copyOf(buffer, n);
        } catch (LastErrorException e) {
            throw fail("readlink", path, e);
        }
    }

    /** The entries of a directory, without "." and "..". */
    public static List<Dirents.Entry> list(byte[] dir) {
        int fd;
        try {
            fd = C.open(z(dir), Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw fail("open", dir, e);
        }
        try (Fd directory = Fd.of(fd)) {
            return Dirents.list(directory);
        }
    }

    /** The path with its terminating NUL, as C wants it. */
    private static byte[] z(byte[] path) {
        return Arrays.copyOf(path, path.length + 1);
    }

    private static LinuxException fail(String call, byte[] path, LastErrorException e) {
        return new LinuxException(call + "(" + show(path) + ")", e.getErrorCode());
    }

    /** A path for a message: its bytes read as UTF-8, in quotes. */
    public static String show(byte[] path) {
        return "\"" + new String(path, StandardCharsets.UTF_8) + "\"";
    }
}
