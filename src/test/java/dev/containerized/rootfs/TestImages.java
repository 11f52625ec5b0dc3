package dev.containerized.rootfs;

import dev.containerized.internal.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes small images for tests from layer tars made by {@link TarWriter}: OCI image layouts (with or
 * without an image index of several platforms) and docker save archives of both forms.
 */
final class TestImages {
    private TestImages() {
    }

    /** An image's parts as written: digests to assert on. */
    record Written(Path path, String manifestDigest, long manifestSize, String configDigest, List<String> blobDigests, List<String> diffIds) {
    }

    static String sha256(byte[] bytes) {
        return LayerCache.sha256(bytes).toString();
    }

    /** The builder of an image. */
    static final class Image {
        private final List<byte[]> layers = new ArrayList<>();
        private boolean gzip = true;
        private String layerMediaType;
        private Map<String, Object> config = new LinkedHashMap<>();
        private String architecture = Platform.current().architecture();
        private Long lastLayerSize;

        Image layer(TarWriter tar) {
            layers.add(tar.bytes());
            return this;
        }

        Image layer(byte[] tar) {
            layers.add(tar);
            return this;
        }

        Image gzip(boolean gzip) {
            this.gzip = gzip;
            return this;
        }

        Image layerMediaType(String mediaType) {
            this.layerMediaType = mediaType;
            return this;
        }

        Image config(Map<String, Object> config) {
            this.config = config;
            return this;
        }

        /** The manifest says the last layer's blob has {@code size} bytes, whatever it has. */
        Image lastLayerDeclaredAs(long size) {
            this.lastLayerSize = size;
            return this;
        }

        Image architecture(String architecture) {
            this.architecture = architecture;
            return this;
        }

        /** Writes blobs into {@code layout}/blobs/sha256 and returns the manifest's descriptor fields. */
        Written writeBlobs(Path layout) {
            List<String> blobDigests = new ArrayList<>();
            List<String> diffIds = new ArrayList<>();
            List<Object> layerDescriptors = new ArrayList<>();
            for (byte[] tar : layers) {
                byte[] blob = gzip ? TarWriter.gzip(tar) : tar;
                String digest = blob(layout, blob);
                blobDigests.add(digest);
                diffIds.add(sha256(tar));
                String type = layerMediaType != null ? layerMediaType
                        : gzip ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.oci.image.layer.v1.tar";
                boolean last = layerDescriptors.size() == layers.size() - 1;
                layerDescriptors.add(descriptor(type, digest, last && lastLayerSize != null ? lastLayerSize : blob.length));
            }
            Map<String, Object> configDocument = new LinkedHashMap<>();
            configDocument.put("architecture", architecture);
            configDocument.put("os", "linux");
            configDocument.put("config", config);
            configDocument.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
            byte[] configBytes = Json.write(configDocument).getBytes(StandardCharsets.UTF_8);
            String configDigest = blob(layout, configBytes);
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("schemaVersion", 2L);
            manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
            manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", configDigest, configBytes.length));
            manifest.put("layers", layerDescriptors);
            byte[] manifestBytes = Json.write(manifest).getBytes(StandardCharsets.UTF_8);
            String manifestDigest = blob(layout, manifestBytes);
            return new Written(layout, manifestDigest, manifestBytes.length, configDigest, blobDigests, diffIds);
        }

        /** An OCI layout holding this image under {@code tag}. */
        Written ociLayout(Path layout, String tag) {
            Written written = writeBlobs(layout);
            writeIndex(layout, List.of(manifestEntry(written, tag, null)));
            return written;
        }
    }

    static Image image() {
        return new Image();
    }

    static Map<String, Object> manifestEntry(Written written, String tag, Map<String, Object> platform) {
        Map<String, Object> entry = descriptor("application/vnd.oci.image.manifest.v1+json", written.manifestDigest(),
                written.manifestSize());
        if (tag != null) {
            entry.put("annotations", Map.of(OciImageSource.REF_NAME, tag));
        }
        if (platform != null) {
            entry.put("platform", platform);
        }
        return entry;
    }

    static void writeIndex(Path layout, List<Object> manifests) {
        write(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2L);
        index.put("manifests", manifests);
        write(layout.resolve("index.json"), Json.write(index).getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a blob; returns its digest. */
    static String blob(Path layout, byte[] bytes) {
        String digest = sha256(bytes);
        write(layout.resolve("blobs/sha256").resolve(digest.substring(7)), bytes);
        return digest;
    }

    static Map<String, Object> descriptor(String mediaType, String digest, long size) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", digest);
        d.put("size", size);
        return d;
    }

    /**
     * A classic docker save archive (as Docker before 25 and skopeo write): {@code <diffid>.tar} layers,
     * a {@code <config digest>.json} config, and manifest.json listing them for each image.
     */
    static void classicDockerArchive(Path archive, Map<String, Image> imagesByTag) {
        TarWriter tar = new TarWriter();
        List<Object> manifest = new ArrayList<>();
        for (Map.Entry<String, Image> tagged : imagesByTag.entrySet()) {
            Image image = tagged.getValue();
            List<String> layerNames = new ArrayList<>();
            List<String> diffIds = new ArrayList<>();
            for (byte[] layer : image.layers) {
                String diffId = sha256(layer);
                diffIds.add(diffId);
                // Layers as files in <id>/layer.tar, linked from <diffid>.tar, as skopeo writes them.
                String file = diffId.substring(7) + ".tar";
                tar.file(file, layer, 0444, 0, 0, 0);
                String dir = sha256(file.getBytes(StandardCharsets.UTF_8)).substring(7);
                tar.symlink(dir + "/layer.tar", "../" + file);
                layerNames.add(dir + "/layer.tar");
            }
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("architecture", image.architecture);
            config.put("os", "linux");
            config.put("config", image.config);
            config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
            byte[] configBytes = Json.write(config).getBytes(StandardCharsets.UTF_8);
            String configName = sha256(configBytes).substring(7) + ".json";
            tar.file(configName, configBytes, 0444, 0, 0, 0);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("Config", configName);
            entry.put("RepoTags", List.of(tagged.getKey()));
            entry.put("Layers", layerNames);
            manifest.add(entry);
        }
        tar.file("manifest.json", Json.write(manifest).getBytes(StandardCharsets.UTF_8), 0444, 0, 0, 0);
        write(archive, tar.bytes());
    }

    /**
     * A docker save archive as Docker 25 and later write it: an OCI layout (uncompressed layers,
     * index.json naming the image with io.containerd.image.name) plus the classic manifest.json.
     */
    static Written ociDockerArchive(Path archive, Path scratchLayout, Image image, String name) {
        Written written = image.gzip(false).writeBlobs(scratchLayout);
        Map<String, Object> entry = manifestEntry(written, null, null);
        entry.put("annotations", Map.of(OciImageSource.CONTAINERD_NAME, DockerNames.normalize(name),
                OciImageSource.REF_NAME, name.substring(name.indexOf(':') + 1)));
        writeIndex(scratchLayout, List.of(entry));
        TarWriter tar = new TarWriter();
        try (var files = Files.walk(scratchLayout)) {
            for (Path file : files.sorted().toList()) {
                String member = scratchLayout.relativize(file).toString();
                if (Files.isDirectory(file)) {
                    if (!member.isEmpty()) {
                        tar.dir(member + "/");
                    }
                } else {
                    tar.file(member, Files.readAllBytes(file), 0444, 0, 0, 0);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> legacy = new LinkedHashMap<>();
        legacy.put("Config", "blobs/sha256/" + written.configDigest().substring(7));
        legacy.put("RepoTags", List.of(name));
        legacy.put("Layers", written.blobDigests().stream().map(d -> "blobs/sha256/" + d.substring(7)).toList());
        tar.file("manifest.json", Json.write(List.of(legacy)).getBytes(StandardCharsets.UTF_8), 0444, 0, 0, 0);
        write(archive, tar.bytes());
        return written;
    }

    static void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
