package dev.containerized.rootfs;

import java.nio.file.Path;

/** Where built rootfs trees and unpacked native code are kept between runs. */
public final class Cache {
    public static final String PROPERTY = "containerized.cacheDir";

    private Cache() {
    }

    /** {@code -Dcontainerized.cacheDir}, else {@code $XDG_CACHE_HOME/containerized}, else {@code ~/.cache/containerized}. */
    public static Path directory() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("containerized");
    }
}
