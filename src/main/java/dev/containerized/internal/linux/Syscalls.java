package dev.containerized.internal.linux;

/** What differs by architecture: numbers of system calls glibc does not wrap, and one open(2) flag. */
final class Syscalls {
    static final long PIVOT_ROOT;
    static final long CAPSET;
    /** asm-generic says 0200000; arm64's own fcntl.h says 040000. */
    static final int O_DIRECTORY;

    static {
        String arch = System.getProperty("os.arch");
        switch (arch) {
            case "amd64", "x86_64" -> {
                PIVOT_ROOT = 155;
                CAPSET = 126;
                O_DIRECTORY = 0200000;
            }
            case "aarch64" -> {
                PIVOT_ROOT = 41;
                CAPSET = 91;
                O_DIRECTORY = 040000;
            }
            default -> throw new UnsupportedOperationException(
                    "Containerized supports x86_64 and aarch64 Linux, not " + arch);
        }
    }

    private Syscalls() {
    }
}
