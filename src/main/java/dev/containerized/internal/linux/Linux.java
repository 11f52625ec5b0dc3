package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;

import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/**
 * Checked wrappers over {@link LibC}: each returns normally or throws a {@link LinuxException} whose
 * message names the call, its key arguments and the errno name.
 */
public final class Linux {
    private static final LibC C = LibC.INSTANCE;

    private Linux() {
    }

    public static void unshare(int flags) {
        call(() -> C.unshare(flags), "unshare(0x" + Integer.toHexString(flags) + ")");
    }

    public static void sethostname(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        call(() -> C.sethostname(name, bytes.length), "sethostname(\"" + name + "\")");
    }

    public static void mount(String source, String target, String fstype, long flags, String data) {
        call(() -> C.mount(source, target, fstype, flags, data),
                "mount(" + quote(source) + ", " + quote(target) + ", " + quote(fstype) + ")");
    }

    public static void umount2(String target, int flags) {
        call(() -> C.umount2(target, flags), "umount2(" + quote(target) + ")");
    }

    public static void chdir(String path) {
        call(() -> C.chdir(path), "chdir(" + quote(path) + ")");
    }

    public static void mkfifo(String path, int mode) {
        call(() -> C.mkfifo(path, mode), "mkfifo(" + quote(path) + ")");
    }

    /** pivot_root(2) has no glibc wrapper. */
    public static void pivotRoot(String newRoot, String putOld) {
        call(() -> (int) C.syscall(Syscalls.PIVOT_ROOT, newRoot, putOld),
                "pivot_root(" + quote(newRoot) + ", " + quote(putOld) + ")");
    }

    public static void prctl(int option, long arg2) {
        call(() -> C.prctl(option, arg2, 0, 0, 0), "prctl(" + option + ", " + arg2 + ")");
    }

    public static int gettid() {
        return C.gettid();
    }

    public static int open(String path, int flags) {
        return call(() -> C.open(path, flags, 0), "open(" + quote(path) + ")");
    }

    /** A datagram socket, the handle network ioctls need. */
    public static int socketForIoctl() {
        return call(() -> C.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0), "socket(AF_INET, SOCK_DGRAM)");
    }

    public static void close(int fd) {
        call(() -> C.close(fd), "close(" + fd + ")");
    }

    public static void closeQuietly(int fd) {
        try {
            C.close(fd);
        } catch (LastErrorException ignored) {
            // Nothing to do: the descriptor is gone either way.
        }
    }

    /** A pipe whose ends close on exec: {@code [read, write]}. */
    public static int[] pipe() {
        int[] fds = new int[2];
        call(() -> C.pipe2(fds, LibC.O_CLOEXEC), "pipe2()");
        return fds;
    }

    /** read(2), retried on EINTR; 0 at end of file. */
    public static int read(int fd, byte[] buffer) {
        return read(fd, buffer, buffer.length);
    }

    /** read(2) of at most {@code count} bytes into the start of {@code buffer}, retried on EINTR; 0 at end of file. */
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

    /** The text of a small file (a cgroup counter) through a descriptor opened earlier, read from its start. */
    public static String readSmall(int fd, String what) {
        byte[] buffer = new byte[64];
        try {
            int n = (int) C.pread(fd, buffer, buffer.length, 0);
            return new String(buffer, 0, n, StandardCharsets.US_ASCII).strip();
        } catch (LastErrorException e) {
            throw new LinuxException("pread(" + quote(what) + ")", e.getErrorCode());
        }
    }

    /** Writes all of {@code text} to {@code fd}, as one write(2) (cgroup files want one write). */
    public static void writeString(int fd, String text, String what) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        try {
            C.write(fd, bytes, bytes.length);
        } catch (LastErrorException e) {
            throw new LinuxException("write(" + quote(what) + ", \"" + text.strip() + "\")", e.getErrorCode());
        }
    }

    /** kill(2); false when the process no longer exists. */
    public static boolean kill(int pid, int signal) {
        try {
            C.kill(pid, signal);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.ESRCH) {
                return false;
            }
            throw new LinuxException("kill(" + pid + ", " + signal + ")", e.getErrorCode());
        }
    }

    /**
     * waitpid(2) for any child, blocking, retried on EINTR. Returns {@code [pid, status]}, or null when
     * this process has no children (ECHILD).
     */
    public static int[] waitAnyChild() {
        IntByReference status = new IntByReference();
        while (true) {
            try {
                int pid = C.waitpid(-1, status, LibC.__WALL);
                return new int[] {pid, status.getValue()};
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.ECHILD) {
                    return null;
                }
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new LinuxException("waitpid(-1)", e.getErrorCode());
                }
            }
        }
    }

    /**
     * Marks every descriptor from 3 up close-on-exec. Not closing them now matters: the JVM still reads
     * its own files (class data) through them until execve replaces it.
     */
    public static void closeOnExecFrom3() {
        try {
            C.close_range(3, -1, LibC.CLOSE_RANGE_CLOEXEC);
            return;
        } catch (LastErrorException e) {
            // Older kernel (before 5.11): do it one descriptor at a time below.
        }
        try (java.util.stream.Stream<java.nio.file.Path> fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            for (java.nio.file.Path fd : fds.toList()) {
                int n = Integer.parseInt(fd.getFileName().toString());
                if (n > 2) {
                    try {
                        C.fcntl(n, LibC.F_SETFD, LibC.FD_CLOEXEC);
                    } catch (LastErrorException gone) {
                        // The directory's own descriptor, closed by now.
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot list /proc/self/fd to mark descriptors close-on-exec", e);
        }
    }

    /** Blocks until child {@code pid} has exited, without reaping it: its pid cannot be reused yet. */
    public static void awaitExitWithoutReaping(int pid) {
        Memory siginfo = new Memory(128);
        while (true) {
            try {
                C.waitid(LibC.P_PID, pid, siginfo, LibC.WEXITED | LibC.WNOWAIT);
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new LinuxException("waitid(P_PID, " + pid + ")", e.getErrorCode());
                }
            }
        }
    }

    /** Reaps child {@code pid}, blocking; returns its waitpid(2) status. */
    public static int reap(int pid) {
        IntByReference status = new IntByReference();
        while (true) {
            try {
                C.waitpid(pid, status, 0);
                return status.getValue();
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new LinuxException("waitpid(" + pid + ")", e.getErrorCode());
                }
            }
        }
    }

    /** Writes all of {@code length} bytes, retrying on EINTR and short writes. */
    public static void writeFully(int fd, byte[] bytes, int length) {
        byte[] rest = bytes;
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

    /** execve(2): only returns by throwing. */
    public static void execve(String path, String[] argv, String[] env) {
        try {
            C.execve(path, new StringArray(argv), new StringArray(env));
        } catch (LastErrorException e) {
            throw new LinuxException("execve(" + quote(path) + ")", e.getErrorCode());
        }
        throw new IllegalStateException("execve returned without an error");
    }

    /** A 128-byte sigset_t, all signals set when {@code full}, else empty. */
    public static Memory sigset(boolean full) {
        Memory set = new Memory(128);
        if (full) {
            C.sigfillset(set);
        } else {
            C.sigemptyset(set);
        }
        return set;
    }

    private static int call(IntSupplier call, String description) {
        try {
            return call.getAsInt();
        } catch (LastErrorException e) {
            throw new LinuxException(description, e.getErrorCode());
        }
    }

    static String quote(String s) {
        return s == null ? "NULL" : "\"" + s + "\"";
    }
}
