package dev.containerized.container.host;

import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;

import java.security.SecureRandom;

/**
 * The names a copy is written under beside its target, both ways (copyTo's and copyFrom's), before a
 * rename puts it in place once whole: made with O_EXCL, so that nothing that was there is opened.
 * Loaded at the first copy: a SecureRandom's making costs a fresh JVM about 17 ms, which every
 * container's start paid while it was a field of a class each start loads.
 */
final class AsideCopies {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AsideCopies() {
    }

    /** A new name for a copy: hard to guess, so that a container sharing the directory cannot take it first. */
    static String newName() {
        return ".containerized-copy-" + Long.toHexString(RANDOM.nextLong());
    }

    /** The half-made copy of a failed copy, gone: the copy's own error is what the test needs to see. */
    static void removeQuietly(Fd dir, String name) {
        try {
            Fcntl.unlinkat(dir, name, 0, name);
        } catch (LinuxException alreadyGone) {
            // removed meanwhile, by a container sharing the directory
        }
    }
}
