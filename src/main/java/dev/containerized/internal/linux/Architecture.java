package dev.containerized.internal.linux;

/**
 * What differs between the two architectures this project runs on: numbers of system calls glibc
 * does not wrap (or wraps only in versions newer than we require), and the open(2) flags arm64
 * defines apart from asm-generic.
 */
public enum Architecture {
    X86_64(155, 0200000, 0400000),
    AARCH64(41, 040000, 0100000);

    /** The one this JVM runs on. */
    public static final Architecture CURRENT = detect();

    // Numbers from 424 up are the same on every architecture (asm-generic/unistd.h).
    static final long SYS_PIDFD_SEND_SIGNAL = 424;
    static final long SYS_PIDFD_OPEN = 434;
    static final long SYS_OPENAT2 = 437;

    final long sysPivotRoot;
    final int oDirectory;
    final int oNofollow;

    Architecture(long sysPivotRoot, int oDirectory, int oNofollow) {
        this.sysPivotRoot = sysPivotRoot;
        this.oDirectory = oDirectory;
        this.oNofollow = oNofollow;
    }

    /** The directory name of this architecture's native code in the jar, as {@code uname -m} says it. */
    public String machine() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    private static Architecture detect() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64" -> AARCH64;
            default -> throw new UnsupportedOperationException("Containerized supports x86_64 and aarch64 Linux, not " + arch);
        };
    }
}
