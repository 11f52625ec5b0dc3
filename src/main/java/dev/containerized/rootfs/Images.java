package dev.containerized.rootfs;

import dev.containerized.internal.linux.Unistd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Images as root filesystems, offline: an OCI image layout ({@code oci:DIR[:TAG]}) or a
 * {@code docker save} archive ({@code docker-archive:FILE[:NAME:TAG]}), its layers verified, unpacked
 * once into the layer cache and returned as overlay lower directories.
 * <pre>
 * ResolvedImage image = Images.resolve("oci:images/app:1", projectDirectory);
 * mount("overlay", merged, "overlay", 0, image.lowerdirOption() + ",upperdir=…,workdir=…");
 * </pre>
 * Thread-safe; several JVMs may share one cache. Needs root: layers hold files of many owners, device
 * nodes and whiteouts (device nodes themselves).
 */
public final class Images {
    private Images() {
    }

    /**
     * Resolves an image reference against the project directory, with the cache of {@link Cache#directory()}.
     *
     * @throws IllegalArgumentException when the reference's syntax is wrong (see {@link ImageReference#parse})
     * @throws ImageException           when the image cannot be found, read, verified or unpacked
     */
    public static ResolvedImage resolve(String reference, Path baseDirectory) {
        return resolve(ImageReference.parse(reference), baseDirectory, Cache.directory());
    }

    /** As {@link #resolve(String, Path)}, with the cache directory given. */
    public static ResolvedImage resolve(ImageReference reference, Path baseDirectory, Path cacheDirectory) {
        return resolve(reference, baseDirectory, cacheDirectory, LayerStack.LOWERDIR_BUDGET);
    }

    static ResolvedImage resolve(ImageReference reference, Path baseDirectory, Path cacheDirectory, int lowerdirBudget) {
        requireRoot(reference);
        LayerCache cache = new LayerCache(cacheDirectory).prepare();
        ImageMarkers markers = new ImageMarkers(cacheDirectory, cache);
        try (ImageSource source = open(reference, baseDirectory)) {
            Digest identity = source.identity();
            ImageMarkers.Marker marker = markers.read(identity).orElse(null);
            if (marker == null) {
                ImageSource.Plan plan = source.plan();
                List<Path> layers = unpack(cache, plan.layersBottomFirst());
                markers.write(identity, reference, layers, plan.configDocument());
                marker = new ImageMarkers.Marker(layers, plan.config());
            }
            return new ResolvedImage(new LayerStack(cache, lowerdirBudget).topFirst(marker.layersBottomFirst()), marker.config());
        } catch (IOException e) {
            throw new ImageException("cannot read " + reference + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> unpack(LayerCache cache, List<LayerBlob> layers) {
        List<Path> dirs = new ArrayList<>();
        Digest chain = null;
        for (LayerBlob layer : layers) {
            chain = LayerCache.chainId(chain, layer.diffId());
            List<Path> lowersTopFirst = new ArrayList<>(dirs);
            Collections.reverse(lowersTopFirst);
            dirs.add(cache.unpack(layer, chain, lowersTopFirst));
        }
        return dirs;
    }

    private static ImageSource open(ImageReference reference, Path baseDirectory) throws IOException {
        Path path = reference.resolvePath(baseDirectory);
        switch (reference.transport()) {
            case OCI -> {
                if (!Files.isDirectory(path)) {
                    throw new ImageException(reference + ": " + (Files.exists(path) ? path + " is not a directory; oci: names"
                            + " an OCI image layout directory (for a tar, use docker-archive:)" : "there is no " + path)
                            + (reference.path().startsWith("/") ? "" : " (resolved against " + baseDirectory + ")"));
                }
                return new OciImageSource(new DirectoryBlobStore(path), reference);
            }
            case DOCKER_ARCHIVE -> {
                if (!Files.isRegularFile(path)) {
                    throw new ImageException(reference + ": " + (Files.exists(path) ? path + " is not a file; docker-archive:"
                            + " names a docker save tar (for a layout directory, use oci:)" : "there is no " + path)
                            + (reference.path().startsWith("/") ? "" : " (resolved against " + baseDirectory + ")"));
                }
                return DockerArchiveSource.open(ArchiveBlobStore.index(path), reference);
            }
            default -> throw new IllegalStateException("unhandled transport " + reference.transport());
        }
    }

    private static void requireRoot(ImageReference reference) {
        if (Unistd.geteuid() != 0) {
            throw new ImageException("cannot use the image " + reference + " without root: unpacking layers sets file "
                    + "owners and makes device nodes and overlay whiteouts; run as root (as containers need anyway)");
        }
    }
}
