package dev.containerized.rootfs;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hostile layers, written by the tests: every way out of a layer directory is refused with an error
 * naming the layer, the entry and why, and afterwards nothing has changed in the scratch directory
 * around the cache (where each escape would have landed) and no partial layer is left in the cache.
 */
class LayerSafetyTests {
    @TempDir
    Path scratch;
    private Path outside;
    private Path victim;
    private Path cache;

    @BeforeEach
    void scratchWithAVictim() throws IOException {
        outside = Files.createDirectories(scratch.resolve("outside"));
        victim = Files.writeString(outside.resolve("victim"), "original");
        cache = scratch.resolve("cache");
        new LayerCache(cache).prepare();
    }

    @Test
    void tarSlip() {
        assertRefused(new TarWriter().file("fine", "ok").file("../../outside/slipped", "x"),
                "\"../../outside/slipped\" has a '..' component, which would climb out of the layer");
        assertRefused(new TarWriter().dir("a/").file("a/../../../outside/slipped", "x"), "'..' component");
    }

    @Test
    void aSlipHiddenInAPaxPathOrAGnuLongName() {
        assertRefused(new TarWriter().pax(Map.of("path", "../outside/pax")).file("innocent", "x"),
                "\"../outside/pax\" has a '..' component");
        assertRefused(new TarWriter().longNames(TarWriter.LongNames.GNU).file("d/" + "x".repeat(120) + "/../../../../outside/gnu", "x"),
                "'..' component");
    }

    @Test
    void anAbsoluteNameLandsInsideTheLayer() throws IOException {
        String absolute = outside.resolve("absolute").toString();
        Path image = image(new TarWriter().file(absolute, "inside"));
        ResolvedImage resolved = Images.resolve(ImageReference.parse("oci:" + image), scratch, cache);
        assertThat(resolved.lowerDirsTopFirst().get(0).resolve(absolute.substring(1))).hasContent("inside");
        assertThat(outside.resolve("absolute")).doesNotExist();
    }

    @Test
    void aSymlinkThenAWriteThroughIt() {
        assertRefused(new TarWriter().symlink("etc", outside.toString()).file("etc/passwd", "root::0:0"),
                "\"etc/passwd\" would be written through the symlink \"etc\" of this layer");
    }

    @Test
    void aRelativeSymlinkClimbingOutThenAWriteThroughIt() {
        assertRefused(new TarWriter().symlink("up", "../../../../../../..").file("up" + outside + "/climbed", "x"),
                "through the symlink \"up\"");
    }

    @Test
    void aChainOfSymlinks() {
        assertRefused(new TarWriter().symlink("a", "b").symlink("b", "c").symlink("c", outside.toString())
                .file("a/chained", "x"), "\"a/chained\" would be written through the symlink \"a\"");
        assertRefused(new TarWriter().symlink("a", "b").symlink("b", "c").symlink("c", outside.toString())
                .file("c/chained", "x"), "through the symlink \"c\"");
    }

    @Test
    void aDirectoryEntryReplacesASymlinkOfTheSameNameInsteadOfFollowingIt() throws IOException {
        Path image = image(new TarWriter().symlink("a", outside.toString()).dir("a/").file("a/inside", "x"));
        ResolvedImage resolved = Images.resolve(ImageReference.parse("oci:" + image), scratch, cache);
        Path layer = resolved.lowerDirsTopFirst().get(0);
        assertThat(Files.isDirectory(layer.resolve("a"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(layer.resolve("a/inside")).hasContent("x");
        assertThat(outside.resolve("inside")).doesNotExist();
    }

    @Test
    void directoriesAreNotMadeThroughASymlinkEither() {
        assertRefused(new TarWriter().symlink("d", outside.toString()).dir("d/sub/"), "through the symlink \"d\"");
    }

    @Test
    void hardLinksOutOfTheLayer() {
        assertRefused(new TarWriter().hardLink("h", "../../outside/victim"),
                "has the hard link target \"../../outside/victim\", which has a '..' component");
        assertRefused(new TarWriter().hardLink("h", victim.toString()),
                "is a hard link to \"" + victim.toString().substring(1) + "\", which is neither in this layer");
        assertRefused(new TarWriter().symlink("s", outside.toString()).hardLink("h", "s/victim"),
                "is a hard link to \"s/victim\", which is neither in this layer");
        assertRefused(new TarWriter().file("f", "x").symlink("s", outside.toString()).hardLink("s/h", "f"),
                "\"s/h\" would be written through the symlink \"s\"");
        assertThat(LayerUnpackerTests.stat(victim).links()).as("no link was made to the victim").isEqualTo(1);
    }

    @Test
    void whiteoutsAndOpaqueMarkersThroughASymlink() {
        assertRefused(new TarWriter().symlink("s", outside.toString()).file("s/.wh.victim", ""),
                "\"s/.wh.victim\" would be written through the symlink \"s\"");
        assertRefused(new TarWriter().symlink("s", outside.toString()).file("s/.wh..wh..opq", ""),
                "through the symlink \"s\"");
        assertRefused(new TarWriter().file(".wh...", ""), "is a whiteout of \"..\", which names no file");
        assertThat(LayerUnpackerTests.xattr(outside, "trusted.overlay.opaque")).isNull();
    }

    @Test
    void aNulByteInANameIsRefused() {
        assertRefused(new TarWriter().pax(Map.of("path", "evil\u0000/../x")).file("innocent", "x"), "has a NUL byte in its name");
    }

    @Test
    void aFileWhereADirectoryIsNeeded() {
        assertRefused(new TarWriter().file("f", "x").file("f/child", "y"), "needs \"f\" to be a directory, but this layer made it a file");
    }

    /** Resolving an image of this one layer fails naming the layer and the reason; nothing changed around the cache. */
    private void assertRefused(TarWriter layer, String reason) {
        Path image = image(layer);
        Map<String, Long> before = snapshot();
        assertThatThrownBy(() -> Images.resolve(ImageReference.parse("oci:" + image), scratch, cache))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("layer 1/1 (sha256:")
                .hasMessageContaining(" is refused: its entry ")
                .hasMessageContaining(reason)
                .hasMessageContaining("nothing of the layer was kept");
        assertThat(snapshot()).as("nothing appeared, changed or stayed behind in " + scratch).isEqualTo(before);
        assertThat(victim).hasContent("original");
    }

    private int images;

    private Path image(TarWriter layer) {
        Path layout = scratch.resolve("images/hostile-" + images++);
        TestImages.image().layer(layer).ociLayout(layout, "t");
        return layout;
    }

    /** Every path under the scratch directory (links not followed) with its size, but the test's own images. */
    private Map<String, Long> snapshot() {
        try (Stream<Path> walk = Files.walk(scratch)) {
            Map<String, Long> paths = new TreeMap<>();
            walk.filter(p -> !p.startsWith(scratch.resolve("images"))).forEach(p -> {
                try {
                    paths.put(scratch.relativize(p).toString(), Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.size(p) : -1L);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            return paths;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
