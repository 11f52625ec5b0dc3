package dev.containerized.rootfs;

import dev.containerized.internal.json.Json;
import dev.containerized.internal.json.JsonException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An image in an OCI image layout: {@code oci-layout}, {@code index.json} → (image index →) manifest →
 * config and layers, every blob checked against its digest. The layout is a directory ({@code oci:}) or
 * the inside of a docker archive written by Docker 25 and later, which is an OCI layout too.
 */
final class OciImageSource implements ImageSource {
    static final String REF_NAME = "org.opencontainers.image.ref.name";
    static final String CONTAINERD_NAME = "io.containerd.image.name";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final Set<String> INDEXES = Set.of(OCI_INDEX, "application/vnd.docker.distribution.manifest.list.v2+json");
    private static final Set<String> MANIFESTS = Set.of(OCI_MANIFEST, "application/vnd.docker.distribution.manifest.v2+json");
    private static final Set<String> CONFIGS = Set.of("application/vnd.oci.image.config.v1+json",
            "application/vnd.docker.container.image.v1+json");
    /** Nested image indexes deeper than this are a loop or an attack, not an image. */
    private static final int MAX_INDEX_DEPTH = 4;

    private record Descriptor(String mediaType, Digest digest, long size, Map<?, ?> annotations, Map<?, ?> platform) {
        String annotation(String key) {
            Object value = annotations.get(key);
            return value instanceof String s ? s : null;
        }

        String platformText() {
            return platform == null ? "no platform" : platform.get("os") + "/" + platform.get("architecture")
                    + (platform.get("variant") != null ? "/" + platform.get("variant") : "");
        }
    }

    private final BlobStore store;
    private final ImageReference reference;
    private final Platform platform = Platform.current();
    private Descriptor manifest;

    OciImageSource(BlobStore store, ImageReference reference) {
        this.store = store;
        this.reference = reference;
    }

    @Override
    public Digest identity() throws IOException {
        if (manifest == null) {
            manifest = selectManifest();
        }
        return manifest.digest();
    }

    @Override
    public Plan plan() throws IOException {
        identity();
        String what = "the manifest " + manifest.digest() + " of " + reference;
        Map<String, Object> document = readBlob(manifest, what);
        Object type = document.get("mediaType");
        if (type != null && !MANIFESTS.contains(type)) {
            throw new ImageException(what + " has the media type " + type + ", not an image manifest");
        }
        Descriptor config = descriptor(document.get("config"), what + ", its config");
        if (!CONFIGS.contains(config.mediaType())) {
            throw new ImageException(reference + " is not a container image: its config has the media type "
                    + config.mediaType() + " (expected " + String.join(" or ", CONFIGS) + ")");
        }
        String configWhat = "the config " + config.digest() + " of " + reference;
        Map<String, Object> configDocument = readBlob(config, configWhat);
        Platform.current().check(configDocument, reference, configWhat);
        List<Descriptor> layers = descriptors(document.get("layers"), what + ", its layers");
        List<Digest> diffIds = diffIds(configDocument, configWhat);
        if (diffIds.size() != layers.size()) {
            throw new ImageException(reference + " has " + layers.size() + " layers in its manifest but " + diffIds.size()
                    + " diff_ids in its config; the image is inconsistent");
        }
        List<LayerBlob> blobs = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Descriptor layer = layers.get(i);
            String where = "layer " + (i + 1) + "/" + layers.size() + " (" + layer.digest() + ") of " + reference;
            String name = blobName(layer.digest());
            blobs.add(new LayerBlob(diffIds.get(i), Optional.of(layer.digest()), OptionalLong.of(layer.size()),
                    Optional.of(layer.mediaType()), () -> store.open(name), where));
        }
        return new Plan(configDocument, ImageConfig.fromDocument(configDocument, configWhat), blobs);
    }

    private Descriptor selectManifest() throws IOException {
        if (!store.exists("oci-layout")) {
            throw new ImageException(store.describe() + " is not an OCI image layout: it has no oci-layout file "
                    + "(make one with skopeo copy SOURCE oci:DIR:TAG, or umoci init --layout DIR)");
        }
        Map<String, Object> index = parse(store.readSmall("index.json"), store.describe() + "'s index.json");
        List<Descriptor> entries = descriptors(index.get("manifests"), store.describe() + "'s index.json");
        return toManifest(byTag(entries), 0);
    }

    /** The index.json entries the reference's tag names (several when one tag has a manifest per platform). */
    private Descriptor byTag(List<Descriptor> entries) throws IOException {
        if (reference.tag().isEmpty()) {
            if (entries.size() == 1) {
                return entries.get(0);
            }
            if (!entries.isEmpty() && entries.stream().allMatch(e -> e.platform() != null)) {
                return forPlatform(entries, store.describe() + "'s index.json");
            }
            throw new ImageException(store.describe() + " holds " + entries.size() + " images; name one with "
                    + reference.transport().prefix() + ":" + reference.path() + ":TAG, where TAG is one of: " + tags(entries));
        }
        String tag = reference.tag().get();
        if (tag.startsWith("@") && reference.transport() == ImageReference.Transport.DOCKER_ARCHIVE) {
            return ImageReference.atIndex(entries, tag, store.describe());
        }
        List<Descriptor> tagged = entries.stream().filter(e -> tag.equals(e.annotation(REF_NAME))
                || (e.annotation(CONTAINERD_NAME) != null && DockerNames.same(tag, e.annotation(CONTAINERD_NAME)))).toList();
        if (tagged.isEmpty()) {
            throw new ImageException(store.describe() + " has no image tagged \"" + tag + "\"; its tags are: " + tags(entries));
        }
        return tagged.size() == 1 ? tagged.get(0) : forPlatform(tagged, store.describe() + "'s index.json, tag " + tag);
    }

    /** Follows image indexes (multi-platform images) down to this machine's manifest. */
    private Descriptor toManifest(Descriptor descriptor, int depth) throws IOException {
        String type = descriptor.mediaType();
        if (MANIFESTS.contains(type)) {
            return descriptor;
        }
        if (!INDEXES.contains(type)) {
            throw new ImageException(store.describe() + " names " + descriptor.digest() + " with the media type " + type
                    + ", which is neither an image manifest nor an image index");
        }
        if (depth >= MAX_INDEX_DEPTH) {
            throw new ImageException(store.describe() + " nests image indexes more than " + MAX_INDEX_DEPTH + " deep");
        }
        String what = "the image index " + descriptor.digest() + " of " + reference;
        List<Descriptor> entries = descriptors(readBlob(descriptor, what).get("manifests"), what);
        return toManifest(forPlatform(entries, what), depth + 1);
    }

    private Descriptor forPlatform(List<Descriptor> entries, String what) {
        for (Descriptor entry : entries) {
            if (entry.platform() != null && platform.matches(entry.platform().get("os"), entry.platform().get("architecture"))) {
                return entry;
            }
        }
        if (entries.size() == 1 && entries.get(0).platform() == null) {
            return entries.get(0);
        }
        throw new ImageException(what + " has no image for " + platform + ", this machine's platform; it has: "
                + entries.stream().map(Descriptor::platformText).distinct().collect(Collectors.joining(", "))
                + ". Foreign platforms are not supported (no emulation): use the image built for " + platform);
    }


    private static List<Digest> diffIds(Map<String, Object> config, String what) {
        if (!(config.get("rootfs") instanceof Map<?, ?> rootfs) || !(rootfs.get("diff_ids") instanceof List<?> ids)) {
            throw new ImageException(what + " has no rootfs.diff_ids; it is not an image config");
        }
        List<Digest> digests = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            digests.add(Digest.parse(ids.get(i), what + ", rootfs.diff_ids[" + i + "]"));
        }
        return digests;
    }

    private Map<String, Object> readBlob(Descriptor descriptor, String what) throws IOException {
        byte[] bytes = store.readSmall(blobName(descriptor.digest()));
        Digest actual = LayerCache.sha256(bytes);
        if (!actual.equals(descriptor.digest())) {
            throw new ImageException(what + ": the blob's content hashes to " + actual + ", not to " + descriptor.digest()
                    + "; it is corrupt or was changed, copy the image again");
        }
        if (descriptor.size() >= 0 && descriptor.size() != bytes.length) {
            throw new ImageException(what + " has " + bytes.length + " bytes where its descriptor says " + descriptor.size());
        }
        return parse(bytes, what);
    }

    static Map<String, Object> parse(byte[] bytes, String what) {
        try {
            return Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
        } catch (JsonException e) {
            throw new ImageException(what + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static List<Descriptor> descriptors(Object value, String what) {
        if (!(value instanceof List<?> list)) {
            throw new ImageException(what + " has no list of descriptors where one is expected");
        }
        List<Descriptor> descriptors = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            descriptors.add(descriptor(list.get(i), what + " [" + i + "]"));
        }
        return descriptors;
    }

    private static Descriptor descriptor(Object value, String what) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new ImageException(what + " is not a descriptor object");
        }
        Object type = map.get("mediaType");
        if (!(type instanceof String mediaType)) {
            throw new ImageException(what + " has no mediaType");
        }
        long size = map.get("size") instanceof Long l ? l : -1;
        Map<?, ?> annotations = map.get("annotations") instanceof Map<?, ?> a ? a : Map.of();
        Map<?, ?> platform = map.get("platform") instanceof Map<?, ?> p ? p : null;
        return new Descriptor(mediaType, Digest.parse(map.get("digest"), what), size, annotations, platform);
    }

    private static String tags(List<Descriptor> entries) {
        String tags = entries.stream().map(e -> Optional.ofNullable(e.annotation(CONTAINERD_NAME))
                        .or(() -> Optional.ofNullable(e.annotation(REF_NAME))).orElse("(untagged " + e.digest() + ")"))
                .distinct().collect(Collectors.joining(", "));
        return tags.isEmpty() ? "none (the index is empty)" : tags;
    }

    static String blobName(Digest digest) {
        return "blobs/sha256/" + digest.hex();
    }

    @Override
    public void close() throws IOException {
        store.close();
    }
}
