package dev.containerized.rootfs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many layers with long cache paths: the lowerdir= list would not fit in a mount's option page, so the
 * bottom layers are merged into one directory. The merged stack, mounted for real, must show what the
 * layers say, whiteouts and opaque directories applied.
 */
class ImageStackingTests {
    private static final int LAYERS = 60;

    @TempDir
    Path scratch;

    @Test
    void sixtyLayersWithLongPathsAreStackedWithinTheBudget() throws Exception {
        image().ociLayout(scratch.resolve("tall"), "t");
        Path cache = scratch.resolve("c".repeat(120)); // each layer directory's path is then about 260 bytes

        ResolvedImage image = Images.resolve(ImageReference.parse("oci:tall"), scratch, cache);

        assertThat(image.lowerdirOption().length()).isLessThanOrEqualTo("lowerdir=".length() + LayerStack.LOWERDIR_BUDGET);
        assertThat(image.lowerDirsTopFirst()).hasSizeBetween(2, LAYERS - 1);
        Path flat = image.lowerDirsTopFirst().get(image.lowerDirsTopFirst().size() - 1);
        assertThat(flat.getParent()).isEqualTo(cache.resolve("layers/flat/sha256"));
        assertThat(image.lowerDirsTopFirst().get(0).resolve("layer-" + (LAYERS - 1))).as("the top layer is kept as it is").exists();

        Map<String, String> seen = tree(image);
        assertThat(seen).containsEntry("counter", "file " + (LAYERS - 1));
        assertThat(seen).as("whited out in layer 10").doesNotContainKey("layer-3");
        assertThat(seen).containsEntry("layer-2", "file 2").containsEntry("layer-" + (LAYERS - 1), "file " + (LAYERS - 1));
        assertThat(seen.keySet().stream().filter(k -> k.startsWith("opaque/")))
                .as("layer 20 made opaque/ opaque: layer 5's entries are gone").containsExactly("opaque/new");
        assertThat(seen).containsEntry("became-dir", "dir").containsEntry("became-dir/inside", "file in");
        assertThat(seen).containsEntry("link", "symlink -> layer-2");
        assertThat(seen).containsEntry("setuid", "file s 4755 uid 7");

        assertThat(Images.resolve(ImageReference.parse("oci:tall"), scratch, cache))
                .as("the merge is cached").isEqualTo(image);
        try (Stream<Path> temps = Files.list(cache.resolve("layers/tmp"))) {
            assertThat(temps).isEmpty();
        }
        try (Stream<Path> files = Files.walk(flat)) {
            assertThat(files.filter(p -> LayerUnpackerTests.stat(p).isWhiteout())).as("whiteouts applied, not kept").isEmpty();
        }
    }

    @Test
    void mergingEverythingShowsTheSameTreeAsMergingTheBottomOnly() throws Exception {
        image().ociLayout(scratch.resolve("tall"), "t");
        Path cache = scratch.resolve("c".repeat(120));
        ResolvedImage partly = Images.resolve(ImageReference.parse("oci:tall"), scratch, cache);
        ResolvedImage wholly = Images.resolve(ImageReference.parse("oci:tall"), scratch, cache, 300);
        assertThat(wholly.lowerDirsTopFirst()).hasSize(1);
        assertThat(tree(wholly)).isEqualTo(tree(partly));
    }

    /** 60 layers: each adds a file and rewrites "counter"; some delete, make opaque, replace a file by a directory. */
    private static TestImages.Image image() {
        TestImages.Image image = TestImages.image();
        for (int i = 0; i < LAYERS; i++) {
            TarWriter layer = new TarWriter().file("layer-" + i, "" + i).file("counter", "" + i);
            switch (i) {
                case 1 -> layer.file("setuid", "s".getBytes(StandardCharsets.UTF_8), 04755, 7, 7, TarWriter.MTIME)
                        .file("became-dir", "file");
                case 5 -> layer.dir("opaque/").file("opaque/old", "o").dir("opaque/sub/").file("opaque/sub/deep", "d");
                case 10 -> layer.file(".wh.layer-3", "");
                case 20 -> layer.dir("opaque/").file("opaque/.wh..wh..opq", "").file("opaque/new", "n");
                case 30 -> layer.dir("became-dir/").file("became-dir/inside", "in");
                case 40 -> layer.symlink("link", "layer-2");
                default -> {
                }
            }
            image.layer(layer);
        }
        return image;
    }

    /** The merged tree as overlayfs shows it: path → kind and content (or target, mode, owner). */
    private Map<String, String> tree(ResolvedImage image) throws Exception {
        Map<String, String> tree = new TreeMap<>();
        OverlayMounts.inspect(image.lowerdirOption(), scratch, merged -> {
            try (Stream<Path> walk = Files.walk(merged)) {
                for (Path p : walk.filter(p -> !p.equals(merged)).toList()) {
                    tree.put(merged.relativize(p).toString(), describe(p));
                }
            }
        });
        return tree;
    }

    private static String describe(Path p) throws IOException {
        if (Files.isSymbolicLink(p)) {
            return "symlink -> " + Files.readSymbolicLink(p);
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return "dir";
        }
        String content = Files.readString(p);
        long mode = LayerUnpackerTests.unix(p, "mode") & 07777;
        return mode == 04755 ? "file " + content + " 4755 uid " + LayerUnpackerTests.unix(p, "uid") : "file " + content;
    }
}
