package dev.containerized.rootfs;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One layer as its image describes it, before it is read: where its bytes are and what they must hash to.
 *
 * @param diffId     the digest of the uncompressed tar, from the config's rootfs.diff_ids: always checked
 * @param blobDigest the digest of the stored (maybe compressed) blob, when the manifest gives one: checked too
 * @param size       the stored blob's size, when the manifest gives one
 * @param mediaType  the manifest's media type, or empty where there is none (a legacy docker archive)
 * @param where      names the layer in messages: "layer 2/5 (sha256:…) of oci:/x/img:1"
 */
record LayerBlob(Digest diffId, Optional<Digest> blobDigest, OptionalLong size, Optional<String> mediaType,
                 Opener opener, String where) {

    /** Opens the stored bytes, from the start. */
    @FunctionalInterface
    interface Opener {
        InputStream open() throws IOException;
    }
}
