package dev.containerized.rootfs;

import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.FileCalls;

import java.nio.charset.StandardCharsets;

/** Copies of files and metadata between layer directories, by byte paths, never following a symlink. */
final class FileCopies {
    private static final byte[] TRUSTED = "trusted.".getBytes(StandardCharsets.US_ASCII);

    private FileCopies() {
    }

    /** Copies a regular file with its owner, mode (setuid and all), times and extended attributes. */
    static void copyFile(byte[] from, byte[] to, Fcntl.FileStat stat, byte[] buffer) {
        int in = FileCalls.openForReading(from);
        try {
            int out = FileCalls.createFile(to, 0600);
            try {
                for (int n = FileCalls.read(in, buffer, buffer.length, from); n > 0; n = FileCalls.read(in, buffer, buffer.length, from)) {
                    FileCalls.writeFully(out, buffer, n, to);
                }
                FileCalls.fchown(out, stat.uid(), stat.gid(), to);
                FileCalls.fchmod(out, stat.mode() & 07777, to); // after chown, which clears setuid and setgid
                copyXattrs(from, to);
                FileCalls.setTimes(out, stat.mtimeSeconds(), stat.mtimeNanos(), to);
            } finally {
                FileCalls.close(out, to);
            }
        } finally {
            FileCalls.closeQuietly(in);
        }
    }

    /**
     * Copies extended attributes but trusted.* ones: those are overlayfs's own (opaque, redirect), which
     * mean something only where the layer is, and no layer may set them for another.
     */
    static void copyXattrs(byte[] from, byte[] to) {
        for (byte[] name : FileCalls.listXattrs(from)) {
            if (!startsWith(name, TRUSTED)) {
                FileCalls.getXattr(from, name).ifPresent(value -> FileCalls.setXattr(to, name, value));
            }
        }
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
