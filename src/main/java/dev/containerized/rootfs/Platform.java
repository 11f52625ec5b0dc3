package dev.containerized.rootfs;

import java.util.Map;

/** This machine's platform in OCI words: linux/amd64 or linux/arm64. Images for others cannot run here (no emulation). */
record Platform(String os, String architecture) {
    static Platform current() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> new Platform("linux", "amd64");
            case "aarch64" -> new Platform("linux", "arm64");
            default -> throw new UnsupportedOperationException("Containerized supports x86_64 and aarch64 Linux, not " + arch);
        };
    }

    boolean matches(Object os, Object architecture) {
        return this.os.equals(os) && this.architecture.equals(architecture);
    }

    /** Refuses an image whose config says it is for another platform; {@code what} names the config. */
    void check(Map<String, Object> config, ImageReference reference, String what) {
        Object configOs = config.get("os");
        Object configArchitecture = config.get("architecture");
        if ((configOs != null || configArchitecture != null) && !matches(configOs, configArchitecture)) {
            throw new ImageException(reference + " is an image for " + configOs + "/" + configArchitecture + " (says " + what
                    + "), but this machine is " + this + "; foreign platforms are not supported (no emulation)");
        }
    }

    @Override
    public String toString() {
        return os + "/" + architecture;
    }
}
