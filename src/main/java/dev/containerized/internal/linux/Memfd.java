package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;

/** sys/mman.h memfd_create(2): an anonymous file, which can be sealed against change and executed. */
public final class Memfd {
    private static final int MFD_CLOEXEC = 0x1;
    private static final int MFD_ALLOW_SEALING = 0x2;
    /** Linux 6.3: executable even where vm.memfd_noexec asks for MFD_NOEXEC_SEAL by default. */
    private static final int MFD_EXEC = 0x10;

    private Memfd() {
    }

    /**
     * A sealed, executable copy of {@code bytes}: nobody can write, grow, shrink or (Linux 6.3+) chmod
     * it any more, not even through /proc/PID/exe of a process running it.
     */
    public static Fd sealedExecutable(String name, byte[] bytes) {
        Fd fd = create(name);
        try {
            Unistd.writeFully(fd.number(), bytes, 0, bytes.length);
            int seals = Fcntl.F_SEAL_SHRINK | Fcntl.F_SEAL_GROW | Fcntl.F_SEAL_WRITE;
            try {
                Fcntl.fcntl(fd, Fcntl.F_ADD_SEALS, seals | Fcntl.F_SEAL_EXEC | Fcntl.F_SEAL_SEAL);
            } catch (LinuxException olderKernel) {
                Fcntl.fcntl(fd, Fcntl.F_ADD_SEALS, seals | Fcntl.F_SEAL_SEAL);
            }
            return fd;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    private static Fd create(String name) {
        try {
            return Fd.of(C.memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC));
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Errno.EINVAL) {
                throw new LinuxException("memfd_create(" + Libc.quote(name) + ")", e.getErrorCode());
            }
        }
        // Before Linux 6.3 MFD_EXEC is unknown, and every memfd is executable.
        return Fd.of(Libc.check(() -> C.memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING), "memfd_create(" + Libc.quote(name) + ")"));
    }

    private static final class C {
        static {
            Libc.register(C.class);
        }

        static native int memfd_create(String name, int flags) throws LastErrorException;
    }
}
