package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** unistd.h: descriptors, pipes, the working directory, identities. */
public final class Unistd {
    /** fcntl.h O_CLOEXEC, for pipe2(2). */
    private static final int O_CLOEXEC = 02000000;

    private Unistd() {
    }

    public static int geteuid() {
        return C.geteuid();
    }

    public static int gettid() {
        return C.gettid();
    }

    public static void chdir(String path) {
        Libc.check(() -> C.chdir(path), "chdir(" + Libc.quote(path) + ")");
    }

    /** rmdir(2): the errno tells a cgroup still busy (EBUSY) from one that cannot go (EROFS, EACCES). */
    public static void rmdir(String path) {
        Libc.check(() -> C.rmdir(path), "rmdir(" + Libc.quote(path) + ")");
    }

    public static void sethostname(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        Libc.check(() -> C.sethostname(bytes, bytes.length), "sethostname(" + Libc.quote(name) + ")");
    }

    /** A pipe whose ends close on exec: {@code [read, write]}. */
    public static Fd[] pipe() {
        int[] fds = new int[2];
        Libc.check(() -> C.pipe2(fds, O_CLOEXEC), "pipe2()");
        return new Fd[] {Fd.of(fds[0]), Fd.of(fds[1])};
    }

    /** read(2) into the start of {@code buffer}, retried on EINTR; 0 at end of file. */
    public static int read(int fd, byte[] buffer, int count) {
        while (true) {
            try {
                return (int) C.read(fd, buffer, count);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new LinuxException("read(" + fd + ")", e.getErrorCode());
                }
            }
        }
    }

    /** Everything {@code fd} gives until end of file, by read(2) in 64 KiB pieces, written to {@code out}. */
    public static void transfer(int fd, OutputStream out) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = read(fd, buffer, buffer.length)) > 0) {
            out.write(buffer, 0, n);
        }
    }

    /**
     * Up to {@code limit} bytes from {@code fd}, fewer at its end. The first read asks for one page, as
     * most files read this way are a cgroup's few bytes (seven at each container's close); reads grow
     * to 64 KiB for a longer file. JNA copies the whole array across each call, so a 64 KiB buffer for a
     * 3-byte file cost a quarter of a megabyte of copying. Not for a file that answers only its first
     * read (a /proc/sys file reads as ended at any other offset): it would be cut at 4 KiB.
     */
    public static byte[] readAtMost(int fd, int limit) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        int n;
        while (bytes.size() < limit && (n = read(fd, buffer, Math.min(buffer.length, limit - bytes.size()))) > 0) {
            bytes.write(buffer, 0, n);
            if (n == buffer.length && buffer.length < 64 * 1024 && bytes.size() < limit) {
                buffer = new byte[buffer.length * 4];
            }
        }
        return bytes.toByteArray();
    }

    /** Everything {@code fd} gives until end of file. */
    public static byte[] readAll(int fd) {
        return readAtMost(fd, Integer.MAX_VALUE - 8); // the most a byte array holds
    }

    /** Writes all of {@code bytes[offset, offset + length)}, retrying on EINTR and short writes. */
    public static void writeFully(int fd, byte[] bytes, int offset, int length) {
        byte[] rest = offset == 0 ? bytes : java.util.Arrays.copyOfRange(bytes, offset, offset + length);
        int remaining = length;
        while (remaining > 0) {
            try {
                int n = (int) C.write(fd, rest, remaining);
                remaining -= n;
                if (remaining > 0) {
                    rest = java.util.Arrays.copyOfRange(rest, n, n + remaining);
                }
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new LinuxException("write(" + fd + ")", e.getErrorCode());
                }
            }
        }
    }

    public static final int SEEK_DATA = 3;
    public static final int SEEK_HOLE = 4;

    /**
     * lseek(2) with SEEK_DATA or SEEK_HOLE: where the next data or hole starts at or after {@code offset};
     * -1 when there is no data from {@code offset} to the end (ENXIO).
     */
    public static long seekDataOrHole(int fd, long offset, int whence) {
        try {
            return C.lseek(fd, offset, whence);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.ENXIO) {
                return -1;
            }
            throw new LinuxException("lseek(" + fd + ", " + offset + ", " + (whence == SEEK_DATA ? "SEEK_DATA" : "SEEK_HOLE") + ")",
                    e.getErrorCode());
        }
    }

    /** ftruncate(2): the file's length becomes {@code length}, a hole where it grows. */
    public static void truncate(int fd, long length) {
        Libc.check(() -> C.ftruncate(fd, length), "ftruncate(" + fd + ", " + length + ")");
    }

    /** lseek(2) to {@code offset} from the start. */
    public static void seek(int fd, long offset) {
        Libc.checkLong(() -> C.lseek(fd, offset, 0), "lseek(" + fd + ", " + offset + ")");
    }

    /** One write(2) of a short text, as cgroup files want it. */
    public static void writeString(int fd, String text, String what) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        Libc.checkLong(() -> C.write(fd, bytes, bytes.length), "write(" + Libc.quote(what) + ", \"" + text.strip() + "\")");
    }

    static void closeQuietly(int fd) {
        try {
            C.close(fd);
        } catch (LastErrorException ignored) {
            // Nothing to do: the descriptor is gone either way.
        }
    }

    private static final class C {
        static {
            Libc.register(C.class);
        }

        static native int geteuid();

        static native int gettid();

        static native int chdir(String path) throws LastErrorException;

        static native int rmdir(String path) throws LastErrorException;

        static native int sethostname(byte[] name, long length) throws LastErrorException;

        static native int pipe2(int[] fds, int flags) throws LastErrorException;

        static native long read(int fd, byte[] buffer, long count) throws LastErrorException;

        static native long write(int fd, byte[] buffer, long count) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;

        static native long lseek(int fd, long offset, int whence) throws LastErrorException;

        static native int ftruncate(int fd, long length) throws LastErrorException;
    }
}
