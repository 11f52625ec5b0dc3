package dev.containerized.container.confine;

import dev.containerized.internal.linux.Architecture;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The architecture names a Docker profile may write: libseccomp's ({@code SCMP_ARCH_X86_64}) in
 * {@code architectures} and {@code archMap}, Go's ({@code amd64}) in includes and excludes. Each
 * spelling maps to one canonical name; both spellings are accepted everywhere.
 */
final class ArchitectureNames {
    private static final Map<String, String> CANONICAL = Map.ofEntries(
            Map.entry("SCMP_ARCH_X86_64", "x86_64"), Map.entry("amd64", "x86_64"),
            Map.entry("SCMP_ARCH_X86", "x86"), Map.entry("x86", "x86"), Map.entry("386", "x86"),
            Map.entry("SCMP_ARCH_X32", "x32"), Map.entry("x32", "x32"),
            Map.entry("SCMP_ARCH_AARCH64", "aarch64"), Map.entry("arm64", "aarch64"),
            Map.entry("SCMP_ARCH_ARM", "arm"), Map.entry("arm", "arm"),
            Map.entry("SCMP_ARCH_MIPS", "mips"), Map.entry("mips", "mips"),
            Map.entry("SCMP_ARCH_MIPS64", "mips64"), Map.entry("mips64", "mips64"),
            Map.entry("SCMP_ARCH_MIPS64N32", "mips64n32"), Map.entry("mips64n32", "mips64n32"),
            Map.entry("SCMP_ARCH_MIPSEL", "mipsel"), Map.entry("mipsel", "mipsel"), Map.entry("mipsle", "mipsel"),
            Map.entry("SCMP_ARCH_MIPSEL64", "mipsel64"), Map.entry("mipsel64", "mipsel64"),
            Map.entry("mips64le", "mipsel64"),
            Map.entry("SCMP_ARCH_MIPSEL64N32", "mipsel64n32"), Map.entry("mipsel64n32", "mipsel64n32"),
            Map.entry("SCMP_ARCH_PPC", "ppc"), Map.entry("ppc", "ppc"),
            Map.entry("SCMP_ARCH_PPC64", "ppc64"), Map.entry("ppc64", "ppc64"),
            Map.entry("SCMP_ARCH_PPC64LE", "ppc64le"), Map.entry("ppc64le", "ppc64le"),
            Map.entry("SCMP_ARCH_S390", "s390"), Map.entry("s390", "s390"),
            Map.entry("SCMP_ARCH_S390X", "s390x"), Map.entry("s390x", "s390x"),
            Map.entry("SCMP_ARCH_PARISC", "parisc"), Map.entry("parisc", "parisc"),
            Map.entry("SCMP_ARCH_PARISC64", "parisc64"), Map.entry("parisc64", "parisc64"),
            Map.entry("SCMP_ARCH_RISCV64", "riscv64"), Map.entry("riscv64", "riscv64"),
            Map.entry("SCMP_ARCH_LOONGARCH64", "loongarch64"), Map.entry("loong64", "loongarch64"),
            Map.entry("SCMP_ARCH_M68K", "m68k"), Map.entry("m68k", "m68k"),
            Map.entry("SCMP_ARCH_SH", "sh"), Map.entry("sh", "sh"),
            Map.entry("SCMP_ARCH_SHEB", "sheb"), Map.entry("sheb", "sheb"));

    private ArchitectureNames() {
    }

    static Optional<String> canonical(String spelling) {
        return Optional.ofNullable(CANONICAL.get(spelling));
    }

    static boolean isNative(String canonical, Architecture arch) {
        return canonical.equals(arch.machine());
    }

    /** For error messages: every name a profile may write. */
    static String known() {
        return String.join(", ", new TreeSet<>(CANONICAL.keySet()));
    }
}
