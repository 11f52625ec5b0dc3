package dev.containerized.rootfs;

import dev.containerized.internal.linux.FileCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * That overlayfs on this machine reads our whiteouts and opaque directories as we mean them: two
 * layers unpacked by hand and mounted for real, in a private mount namespace.
 */
class LayerOverlayTests {
    @TempDir
    Path scratch;

    @Test
    void aWhiteoutDeletesAndAnOpaqueDirectoryHidesTheLowerLayer() throws Exception {
        Path lower = unpack("lower", new TarWriter()
                .dir("etc/").file("etc/motd", "hello").file("etc/hostname", "box")
                .dir("cache/").file("cache/old-1", "1").dir("cache/sub/").file("cache/sub/old-2", "2")
                .dir("merged/").file("merged/from-lower", "l")
                .bytes());
        Path upper = unpack("upper", new TarWriter()
                .dir("etc/").file("etc/.wh.motd", "")
                .dir("cache/").file("cache/.wh..wh..opq", "").file("cache/new", "n")
                .dir("merged/").file("merged/from-upper", "u")
                .bytes());

        OverlayMounts.inspect(List.of(upper, lower), scratch, merged -> {
            assertThat(merged.resolve("etc/motd")).as("whited out").doesNotExist();
            assertThat(merged.resolve("etc/hostname")).hasContent("box");
            try (var listing = Files.list(merged.resolve("cache"))) {
                assertThat(listing.map(p -> p.getFileName().toString())).as("opaque: only the upper layer's entries")
                        .containsExactly("new");
            }
            try (var listing = Files.list(merged.resolve("merged"))) {
                assertThat(listing.map(p -> p.getFileName().toString())).as("not opaque: both layers' entries")
                        .containsExactlyInAnyOrder("from-lower", "from-upper");
            }
        });
        assertThat(OverlayMounts.visibleOnHost(scratch)).as("the mount stayed in its own namespace and is gone").isFalse();
    }

    @Test
    void layerDirectoriesWithColonsAndCommasInTheirPathsAreEscapedAsOverlayfsReadsThem() throws Exception {
        Path odd = unpack("odd:name,with\\escapes", new TarWriter().file("from-odd", "odd").bytes());
        Path plain = unpack("plain", new TarWriter().file("from-plain", "plain").bytes());
        OverlayMounts.inspect(List.of(odd, plain), scratch, merged -> {
            assertThat(merged.resolve("from-odd")).hasContent("odd");
            assertThat(merged.resolve("from-plain")).hasContent("plain");
        });
    }

    private Path unpack(String name, byte[] tar) throws Exception {
        Path dir = Files.createDirectory(scratch.resolve(name));
        new LayerUnpacker("layer " + name, FileCalls.bytes(dir), new LowerLayers(List.of()))
                .unpack(new TarReader(new ByteArrayInputStream(tar), name));
        return dir;
    }
}
