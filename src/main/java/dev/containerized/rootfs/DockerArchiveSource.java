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
import java.util.stream.Collectors;

/**
 * An image in a {@code docker save} archive of the classic form (Docker before 25, skopeo's
 * docker-archive): {@code manifest.json} lists each image's config file and layer files. There is no
 * manifest digest and no blob digest: the config's rootfs.diff_ids are what each layer is checked
 * against, and the config's own digest is checked where its file name is one.
 * <p>
 * Archives from Docker 25 on hold an OCI layout (index.json, blobs/sha256) next to their manifest.json;
 * {@link #open} reads those as OCI, which has digests for everything.
 */
final class DockerArchiveSource implements ImageSource {

    private final ArchiveBlobStore store;
    private final ImageReference reference;
    private Map<?, ?> entry;
    private byte[] configBytes;
    private Digest configDigest;

    private DockerArchiveSource(ArchiveBlobStore store, ImageReference reference) {
        this.store = store;
        this.reference = reference;
    }

    /** The archive's image source: OCI when the archive holds a layout, classic otherwise. */
    static ImageSource open(ArchiveBlobStore store, ImageReference reference) {
        if (store.exists("index.json") && store.exists("oci-layout")) {
            return new OciImageSource(store, reference);
        }
        if (store.exists("manifest.json")) {
            return new DockerArchiveSource(store, reference);
        }
        throw new ImageException(store.describe() + " is not a docker save archive: it has neither manifest.json nor"
                + " index.json (save one with docker save -o FILE IMAGE, or skopeo copy SOURCE docker-archive:FILE)");
    }

    @Override
    public Digest identity() throws IOException {
        if (configDigest == null) {
            entry = selectEntry();
            Object config = entry.get("Config");
            if (!(config instanceof String name)) {
                throw new ImageException(store.describe() + "'s manifest.json has an image without \"Config\"");
            }
            configBytes = store.readSmall(name);
            configDigest = LayerCache.sha256(configBytes);
            Optional<Digest> named = Digest.fromFileName(name);
            if (named.isPresent() && !named.get().equals(configDigest)) {
                throw new ImageException(store.describe() + ": the config " + name + " hashes to " + configDigest
                        + ", not to the digest its name says; the archive is corrupt or was changed, save the image again");
            }
        }
        return configDigest;
    }

    @Override
    public Plan plan() throws IOException {
        identity();
        String what = "the config " + configDigest + " of " + reference;
        Map<String, Object> config = OciImageSource.parse(configBytes, what);
        Platform.current().check(config, reference, what);
        if (!(entry.get("Layers") instanceof List<?> layers) || !layers.stream().allMatch(String.class::isInstance)) {
            throw new ImageException(store.describe() + "'s manifest.json has an image without a \"Layers\" list of file names");
        }
        if (!(config.get("rootfs") instanceof Map<?, ?> rootfs) || !(rootfs.get("diff_ids") instanceof List<?> ids)
                || ids.size() != layers.size()) {
            throw new ImageException(what + " does not list one rootfs.diff_ids entry per layer of manifest.json ("
                    + layers.size() + " layers); the archive is inconsistent");
        }
        List<LayerBlob> blobs = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            String name = (String) layers.get(i);
            Digest diffId = Digest.parse(ids.get(i), what + ", rootfs.diff_ids[" + i + "]");
            String where = "layer " + (i + 1) + "/" + layers.size() + " (" + diffId + ", " + name + ") of " + reference;
            blobs.add(new LayerBlob(diffId, Optional.empty(), OptionalLong.empty(), Optional.empty(), () -> store.open(name), where));
        }
        return new Plan(config, ImageConfig.fromDocument(config, what), blobs);
    }

    private Map<?, ?> selectEntry() throws IOException {
        Object parsed;
        try {
            parsed = Json.parse(new String(store.readSmall("manifest.json"), StandardCharsets.UTF_8));
        } catch (JsonException e) {
            throw new ImageException(store.describe() + "'s manifest.json is not valid JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof List<?> images) || !images.stream().allMatch(Map.class::isInstance)) {
            throw new ImageException(store.describe() + "'s manifest.json is not a list of images");
        }
        if (reference.tag().isEmpty()) {
            if (images.size() == 1) {
                return (Map<?, ?>) images.get(0);
            }
            throw new ImageException(store.describe() + " holds " + images.size() + " images; name one with docker-archive:"
                    + reference.path() + ":NAME:TAG (or :@INDEX), where NAME:TAG is one of: " + tags(images));
        }
        String tag = reference.tag().get();
        if (tag.startsWith("@")) {
            return (Map<?, ?>) ImageReference.atIndex(images, tag, store.describe());
        }
        for (Object image : images) {
            if (((Map<?, ?>) image).get("RepoTags") instanceof List<?> repoTags
                    && repoTags.stream().anyMatch(t -> t instanceof String s && DockerNames.same(tag, s))) {
                return (Map<?, ?>) image;
            }
        }
        throw new ImageException(store.describe() + " has no image tagged \"" + tag + "\"; its tags are: " + tags(images));
    }

    private static String tags(List<?> images) {
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            Object repoTags = ((Map<?, ?>) images.get(i)).get("RepoTags");
            if (repoTags instanceof List<?> list && !list.isEmpty()) {
                list.forEach(t -> tags.add(String.valueOf(t)));
            } else {
                tags.add("@" + i + " (untagged)");
            }
        }
        return tags.stream().collect(Collectors.joining(", "));
    }


    @Override
    public void close() throws IOException {
        store.close();
    }
}
