package dev.containerized.internal.linux;

/**
 * A failed system call, with the call, its key arguments and the errno name in the message:
 * {@code mount("overlay", "/run/x/merged"): EINVAL (Invalid argument)}.
 */
public final class LinuxException extends RuntimeException {
    private final int errno;

    public LinuxException(String call, int errno) {
        super(call + ": " + Errno.describe(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
