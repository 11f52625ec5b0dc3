package dev.containerized.rootfs;

import dev.containerized.internal.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an image unpacked to, kept as {@code <cache>/images/sha256/<identity>.json}: its layer
 * directories, bottom first, and its config. With it, a second use of an image reads no layer: only
 * the small files that lead to its identity (an OCI layout's index.json, and an image index it points
 * to; a docker archive's manifest.json and config, whose hash is that archive's identity).
 */
final class ImageMarkers {
    private static final System.Logger LOG = System.getLogger(ImageMarkers.class.getName());

    record Marker(List<Path> layersBottomFirst, ImageConfig config) {
    }

    private final Path directory;
    private final LayerCache cache;

    ImageMarkers(Path cacheDirectory, LayerCache cache) {
        this.directory = cacheDirectory.toAbsolutePath().normalize().resolve("images/sha256");
        this.cache = cache;
    }

    /** The image's marker, if there is one and every layer directory it names is still there. */
    Optional<Marker> read(Digest identity) {
        Path file = directory.resolve(identity.hex() + ".json");
        try {
            Map<String, Object> marker = Json.parseObject(Files.readString(file));
            List<Path> layers = new ArrayList<>();
            for (Object name : (List<?>) marker.get("layers")) {
                Optional<Path> dir = cache.fromRelative(String.valueOf(name));
                if (dir.isEmpty()) {
                    return Optional.empty(); // a layer was removed from the cache: unpack again
                }
                layers.add(dir.get());
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> config = (Map<String, Object>) marker.get("config");
            return Optional.of(new Marker(layers, ImageConfig.fromDocument(config, "the cached config " + file)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "ignoring the unreadable image marker " + file + ": " + e);
            return Optional.empty();
        }
    }

    /** Records an unpacked image; written whole or not at all. */
    void write(Digest identity, ImageReference reference, List<Path> layersBottomFirst, Map<String, Object> configDocument) {
        Map<String, Object> marker = new LinkedHashMap<>();
        marker.put("reference", reference.toString());
        marker.put("layers", layersBottomFirst.stream().map(cache::relative).toList());
        marker.put("config", configDocument);
        try {
            Files.createDirectories(directory);
            Path temp = Files.createTempFile(directory, identity.hex().substring(0, 12), ".tmp");
            try {
                Files.writeString(temp, Json.write(marker), StandardCharsets.UTF_8);
                Files.move(temp, directory.resolve(identity.hex() + ".json"), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            // The layers are in the cache all the same; the next use only reads the image again to find them.
            LOG.log(System.Logger.Level.WARNING, "cannot record the unpacked image " + reference + " in " + directory + ": " + e);
        }
    }
}
