package dev.containerized.internal.linux;

/**
 * What differs between the two architectures this project runs on: numbers of system calls glibc
 * does not wrap (or wraps only in versions newer than we require), the open(2) flags arm64 defines
 * apart from asm-generic, and the AUDIT_ARCH value a seccomp filter checks first.
 */
public enum Architecture {
    /** AUDIT_ARCH_X86_64: EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE. */
    X86_64(155, 259, 0200000, 0400000, 0xC000003E),
    /** AUDIT_ARCH_AARCH64: EM_AARCH64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE. */
    AARCH64(41, 33, 040000, 0100000, 0xC00000B7);

    // Numbers from 424 up are the same on every architecture (asm-generic/unistd.h).
    static final long SYS_PIDFD_SEND_SIGNAL = 424;
    static final long SYS_PIDFD_OPEN = 434;
    static final long SYS_OPENAT2 = 437;
    static final long SYS_MOUNT_SETATTR = 442;

    final long sysPivotRoot;
    /** mknodat(2) has no glibc symbol before 2.33 (only {@code __xmknodat}): called by number. */
    final long sysMknodat;
    final int oDirectory;
    final int oNofollow;
    private final int auditArch;

    Architecture(long sysPivotRoot, long sysMknodat, int oDirectory, int oNofollow, int auditArch) {
        this.sysPivotRoot = sysPivotRoot;
        this.sysMknodat = sysMknodat;
        this.oDirectory = oDirectory;
        this.oNofollow = oNofollow;
        this.auditArch = auditArch;
    }

    /**
     * The architecture this JVM runs on. Found on first use, not when the enum loads: the build compiles
     * seccomp filters for both architectures on whatever machine it runs on.
     */
    public static Architecture current() {
        return Detected.CURRENT;
    }

    /** The AUDIT_ARCH value of seccomp_data.arch for this architecture's native system calls. */
    public int auditArch() {
        return auditArch;
    }

    /** The directory name of this architecture's native code in the jar, as {@code uname -m} says it. */
    public String machine() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    private static final class Detected {
        static final Architecture CURRENT = detect();
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
