package dev.containerized.rootfs;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Hashes every byte that passes, with SHA-256, and counts them. Unlike {@link java.security.DigestInputStream},
 * skipping reads the bytes too: a skipped byte that escaped the hash would make a verified digest a lie.
 */
final class HashingInputStream extends FilterInputStream {
    private final MessageDigest sha256;
    private final byte[] skipBuffer = new byte[16 * 1024];
    private long count;

    HashingInputStream(InputStream in) {
        super(in);
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            sha256.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = in.read(buffer, offset, length);
        if (n > 0) {
            sha256.update(buffer, offset, n);
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        int r = read(skipBuffer, 0, (int) Math.min(n, skipBuffer.length));
        return Math.max(r, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** The digest of everything read so far; call once, at the end. */
    Digest digest() {
        return new Digest(HexFormat.of().formatHex(sha256.digest()));
    }

    long count() {
        return count;
    }
}
