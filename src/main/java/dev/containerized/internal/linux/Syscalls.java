package dev.containerized.internal.linux;

/** System call numbers that differ by architecture, for calls glibc does not wrap. */
final class Syscalls {
    static final long PIVOT_ROOT;
    static final long CAPSET;

    static {
        String arch = System.getProperty("os.arch");
        switch (arch) {
            case "amd64", "x86_64" -> {
                PIVOT_ROOT = 155;
                CAPSET = 126;
            }
            case "aarch64" -> {
                PIVOT_ROOT = 41;
                CAPSET = 91;
            }
            default -> throw new UnsupportedOperationException(
                    "Containerized supports x86_64 and aarch64 Linux, not " + arch);
        }
    }

    private Syscalls() {
    }
}
