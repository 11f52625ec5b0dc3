package dev.containerized.rootfs;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A layer's tar, decompressed as its bytes say (gzip or none), with the stored blob and the
 * uncompressed tar both hashed on the way. {@link #verify()} after the tar was read to its end says
 * whether the layer is the one the image names; until then, what was read is not to be trusted (it
 * goes into a temporary directory only).
 */
final class LayerStream implements Closeable {
    /** Media types of layers that are tars, gzip-compressed or not. */
    private static final Set<String> SUPPORTED = Set.of(
            "application/vnd.oci.image.layer.v1.tar",
            "application/vnd.oci.image.layer.v1.tar+gzip",
            "application/vnd.oci.image.layer.nondistributable.v1.tar",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            "application/vnd.docker.image.rootfs.diff.tar",
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");
    static final String ZSTD_FIX = "zstd-compressed layers are not supported (the JDK has no zstd decoder and "
            + "this library adds no dependency); make a copy with gzip layers, e.g. "
            + "skopeo copy --dest-compress-format gzip oci:IN:TAG oci:OUT:TAG";

    private final LayerBlob blob;
    private final HashingInputStream stored;
    private final InputStream storedAfterSniffing;
    private final HashingInputStream tar;
    private final TarReader reader;

    private LayerStream(LayerBlob blob, HashingInputStream stored, InputStream storedAfterSniffing, HashingInputStream tar) {
        this.blob = blob;
        this.stored = stored;
        this.storedAfterSniffing = storedAfterSniffing;
        this.tar = tar;
        this.reader = new TarReader(new BufferedInputStream(tar, 64 * 1024), blob.where());
    }

    /** Checks the media type, opens the blob and picks the decompression by its first bytes. */
    static LayerStream open(LayerBlob blob) throws IOException {
        checkMediaType(blob);
        InputStream raw = blob.opener().open();
        if (blob.size().isPresent()) { // no more than the manifest says: a blob that never ends is refused early
            raw = new AtMost(raw, blob.size().getAsLong(), blob.where());
        }
        HashingInputStream stored = new HashingInputStream(raw);
        BufferedInputStream sniffable = new BufferedInputStream(stored, 256 * 1024);
        try {
            sniffable.mark(8);
            byte[] magic = sniffable.readNBytes(6);
            sniffable.reset();
            InputStream tarBytes = switch (compression(magic)) {
                case "gzip" -> new GZIPInputStream(sniffable, 64 * 1024);
                case "none" -> sniffable;
                case "zstd" -> throw new ImageException(blob.where() + " is zstd-compressed: " + ZSTD_FIX);
                default -> throw new ImageException(blob.where() + " is " + compression(magic)
                        + "-compressed; layers must be tars, plain or gzip-compressed");
            };
            return new LayerStream(blob, stored, sniffable, new HashingInputStream(tarBytes));
        } catch (IOException | RuntimeException e) {
            sniffable.close();
            throw e;
        }
    }

    TarReader tar() {
        return reader;
    }

    /**
     * Reads what is left of both streams and compares their digests with the image's; throws an
     * {@link ImageException} naming the layer when one differs.
     */
    void verify() throws IOException {
        try {
            reader.drain();
        } catch (ZipException e) {
            throw new ImageException(blob.where() + " is not valid gzip data: " + e.getMessage()
                    + "; the file is corrupt or truncated, fetch the image again", e);
        }
        storedAfterSniffing.transferTo(java.io.OutputStream.nullOutputStream());
        if (blob.blobDigest().isPresent()) {
            Digest actual = stored.digest();
            if (!actual.equals(blob.blobDigest().get())) {
                throw new ImageException(blob.where() + ": the blob's content hashes to " + actual + ", not to "
                        + blob.blobDigest().get() + " as its name says; the blob is corrupt or was changed, fetch the image again");
            }
        }
        if (blob.size().isPresent() && blob.size().getAsLong() != stored.count()) {
            throw new ImageException(blob.where() + " has " + stored.count() + " bytes where the manifest says "
                    + blob.size().getAsLong() + "; the manifest is wrong");
        }
        Digest actual = tar.digest();
        if (!actual.equals(blob.diffId())) {
            throw new ImageException(blob.where() + ": the uncompressed layer hashes to " + actual + ", not to "
                    + blob.diffId() + " as the image config's rootfs.diff_ids says; the layer is corrupt or was changed, "
                    + "fetch the image again");
        }
    }

    @Override
    public void close() throws IOException {
        storedAfterSniffing.close();
    }

    /**
     * Refuses a layer this class cannot read by its media type, whether or not the cache has it
     * already: an image must not work on a machine where its layers happen to be cached and fail on
     * a fresh one.
     */
    static void checkMediaType(LayerBlob blob) {
        if (blob.mediaType().isEmpty()) {
            return;
        }
        String type = blob.mediaType().get();
        if (type.contains("zstd")) {
            throw new ImageException(blob.where() + " has the media type " + type + ": " + ZSTD_FIX);
        }
        if (type.contains("encrypted")) {
            throw new ImageException(blob.where() + " has the media type " + type
                    + ": encrypted layers are not supported; decrypt the image first (skopeo copy --decryption-key …)");
        }
        if (!SUPPORTED.contains(type)) {
            throw new ImageException(blob.where() + " has the media type " + type + ", which is not a layer this library "
                    + "can unpack; supported are tar and tar+gzip layers (" + String.join(", ", SUPPORTED.stream().sorted().toList()) + ")");
        }
    }

    private static String compression(byte[] magic) {
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return "gzip";
        }
        if (magic.length >= 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
                && (magic[3] & 0xff) == 0xfd) {
            return "zstd";
        }
        if (magic.length >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') {
            return "bzip2";
        }
        if (magic.length >= 6 && (magic[0] & 0xff) == 0xfd && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X'
                && magic[4] == 'Z' && magic[5] == 0) {
            return "xz";
        }
        return "none";
    }

    /** A stored blob that fails once it gives more bytes than the manifest says it has. */
    private static final class AtMost extends java.io.FilterInputStream {
        private final long limit;
        private final String where;
        private long count;

        AtMost(InputStream in, long limit, String where) {
            super(in);
            this.limit = limit;
            this.where = where;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            int n = super.read(bytes, offset, length);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            counted(skipped);
            return skipped;
        }

        private void counted(long n) {
            count += n;
            if (count > limit) {
                throw new ImageException(where + " has more than the " + limit + " bytes the manifest says (so it cannot hash "
                        + "to its name either); the blob is corrupt or was changed, fetch the image again");
            }
        }
    }
}
