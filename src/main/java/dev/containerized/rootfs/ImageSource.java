package dev.containerized.rootfs;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** An image in a layout or archive, read in two steps so that a cached image costs no layer reading. */
interface ImageSource extends Closeable {
    /**
     * A digest that pins the image's content: its manifest's (OCI), or its config's where the source
     * has no manifest digest (a legacy docker archive; the config lists every layer's diff_id). Read
     * without touching any layer.
     */
    Digest identity() throws IOException;

    /** The verified config and the layers, bottom first. */
    Plan plan() throws IOException;

    /** An image ready to unpack. */
    record Plan(Map<String, Object> configDocument, ImageConfig config, List<LayerBlob> layersBottomFirst) {
    }

    @Override
    default void close() throws IOException {
    }
}
