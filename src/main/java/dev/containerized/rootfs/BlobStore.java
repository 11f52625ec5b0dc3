package dev.containerized.rootfs;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * The files of an image source by relative name ("index.json", "blobs/sha256/…", "manifest.json"):
 * an OCI layout directory's, or the members of a docker archive.
 */
interface BlobStore extends Closeable {
    /** "the OCI layout /x/img", "the archive /x/app.tar", for messages. */
    String describe();

    boolean exists(String name);

    /** The file's bytes from its start; an {@link ImageException} naming the store when it is not there. */
    InputStream open(String name) throws IOException;

    /** The most a JSON file of an image (index, manifest, config) may hold: no real one comes near. */
    int JSON_LIMIT = 8 << 20;

    /** A small file (JSON) whole; refuses one larger than {@link #JSON_LIMIT}. */
    default byte[] readSmall(String name) throws IOException {
        try (InputStream in = open(name)) {
            byte[] bytes = in.readNBytes(JSON_LIMIT + 1);
            if (bytes.length > JSON_LIMIT) {
                throw new ImageException(describe() + " has a " + name + " larger than " + JSON_LIMIT
                        + " bytes, more than a manifest or config ever needs; it is not an image file");
            }
            return bytes;
        }
    }

    @Override
    default void close() throws IOException {
    }
}
