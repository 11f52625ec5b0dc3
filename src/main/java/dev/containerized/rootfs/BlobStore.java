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

    /** A small file (JSON) whole; refuses one larger than {@code limit}, which no real manifest or config is. */
    default byte[] readSmall(String name, int limit) throws IOException {
        try (InputStream in = open(name)) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new ImageException(describe() + " has a " + name + " larger than " + limit
                        + " bytes, more than a manifest or config ever needs; it is not an image file");
            }
            return bytes;
        }
    }

    @Override
    default void close() throws IOException {
    }
}
