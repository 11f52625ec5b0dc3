package dev.containerized.rootfs;

import java.util.regex.Pattern;

/**
 * A content digest, {@code sha256:<64 hex digits>}: the only algorithm images use in practice, and the
 * only one accepted. It is checked strictly because it becomes a file name (blobs/sha256/HEX and the
 * cache's directories): "sha256:../../x" must never reach a path.
 */
record Digest(String hex) {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    Digest {
        if (!SHA256_HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("not 64 lowercase hex digits: " + hex);
        }
    }

    /** Parses {@code sha256:HEX}; {@code where} says where it was found, for the error. */
    static Digest parse(Object value, String where) {
        if (!(value instanceof String text)) {
            throw new ImageException(where + " has no digest string (found " + value + ")");
        }
        int colon = text.indexOf(':');
        String algorithm = colon < 0 ? "" : text.substring(0, colon);
        if (!algorithm.equals("sha256")) {
            throw new ImageException(where + " has the digest \"" + text + "\": only sha256 digests are supported");
        }
        String hex = text.substring(colon + 1);
        if (!SHA256_HEX.matcher(hex).matches()) {
            throw new ImageException(where + " has the malformed digest \"" + text + "\" (sha256 needs 64 lowercase hex digits)");
        }
        return new Digest(hex);
    }

    /** The digest of a file name such as {@code <hex>.json}, {@code <hex>.tar} or {@code blobs/sha256/<hex>}, if it is one. */
    static java.util.Optional<Digest> fromFileName(String name) {
        String base = name.substring(name.lastIndexOf('/') + 1);
        int dot = base.indexOf('.');
        String hex = dot < 0 ? base : base.substring(0, dot);
        return SHA256_HEX.matcher(hex).matches() ? java.util.Optional.of(new Digest(hex)) : java.util.Optional.empty();
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
