package dev.containerized.container.confine;

import java.util.Locale;

/**
 * The architectures a filter can be compiled for. A filter checks {@code seccomp_data.arch} against
 * its architecture's AUDIT_ARCH value first, so it is only ever right for one of them.
 */
public enum Architecture {
    /** AUDIT_ARCH_X86_64: EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE. */
    X86_64(0xC000003E),
    /** AUDIT_ARCH_AARCH64: EM_AARCH64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE. */
    AARCH64(0xC00000B7);

    private final int auditArch;

    Architecture(int auditArch) {
        this.auditArch = auditArch;
    }

    /** The architecture this JVM runs on. */
    public static Architecture current() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64" -> AARCH64;
            default -> throw new UnsupportedOperationException(
                    "seccomp filters are compiled for x86_64 and aarch64 Linux, not " + arch);
        };
    }

    int auditArch() {
        return auditArch;
    }

    /** {@code x86_64}, {@code aarch64}: the names of the syscall tables and of uname -m. */
    String unameName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
