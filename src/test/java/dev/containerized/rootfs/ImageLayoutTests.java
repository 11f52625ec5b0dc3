package dev.containerized.rootfs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** OCI layouts and docker archives written by the tests: how each is read, and each error it can give. */
class ImageLayoutTests {
    @TempDir
    Path scratch;

    private ResolvedImage resolve(String reference) {
        return Images.resolve(ImageReference.parse(reference), scratch, scratch.resolve("cache"));
    }

    private static TestImages.Image twoLayers() {
        return TestImages.image()
                .layer(new TarWriter().dir("etc/").file("etc/os-release", "ID=test\n").file("etc/motd", "hi"))
                .layer(new TarWriter().dir("etc/").file("etc/.wh.motd", "").dir("app/").file("app/run", "run"));
    }

    @Test
    void anOciLayoutResolvesToItsLayersTopFirstAndItsConfig() throws Exception {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Env", List.of("PATH=/usr/bin:/bin", "APP=1"));
        config.put("WorkingDir", "/app");
        config.put("User", "1000:1000");
        config.put("Entrypoint", List.of("/app/run"));
        config.put("Cmd", List.of("--port", "8080"));
        config.put("ExposedPorts", Map.of("8080/tcp", Map.of()));
        twoLayers().config(config).ociLayout(scratch.resolve("images/app"), "1.0");

        ResolvedImage image = resolve("oci:images/app:1.0");

        assertThat(image.lowerDirsTopFirst()).hasSize(2);
        assertThat(image.lowerDirsTopFirst().get(0).resolve("app/run")).hasContent("run");
        assertThat(image.lowerDirsTopFirst().get(1).resolve("etc/os-release")).exists();
        assertThat(image.config().env()).containsExactly("PATH=/usr/bin:/bin", "APP=1");
        assertThat(image.config().workingDir()).contains("/app");
        assertThat(image.config().user()).contains("1000:1000");
        assertThat(image.config().command()).containsExactly("/app/run", "--port", "8080");
        assertThat(image.config().exposedPorts()).containsExactly("8080/tcp");
        OverlayMounts.inspect(image.lowerDirsTopFirst(), scratch, merged -> {
            assertThat(merged.resolve("etc/os-release")).hasContent("ID=test\n");
            assertThat(merged.resolve("etc/motd")).doesNotExist();
            assertThat(merged.resolve("app/run")).hasContent("run");
        });
    }

    @Test
    void anImageWithoutConfigValuesHasEmptyOnes() {
        twoLayers().ociLayout(scratch.resolve("plain"), "t");
        assertThat(resolve("oci:plain").config()).isEqualTo(ImageConfig.empty());
    }

    @Test
    void anImageIndexLeadsToThisMachinesPlatform() {
        Path layout = scratch.resolve("multi");
        TestImages.Written ours = TestImages.image().layer(new TarWriter().file("platform", "ours")).writeBlobs(layout);
        TestImages.Written foreign = TestImages.image().architecture("s390x").layer(new TarWriter().file("platform", "s390x"))
                .writeBlobs(layout);
        String index = TestImages.blob(layout, dev.containerized.internal.json.Json.write(Map.of("schemaVersion", 2L,
                "mediaType", OciImageSource.OCI_INDEX, "manifests", List.of(
                        TestImages.manifestEntry(foreign, null, Map.of("os", "linux", "architecture", "s390x")),
                        TestImages.manifestEntry(ours, null, Map.of("os", "linux", "architecture",
                                Platform.current().architecture()))))).getBytes());
        Map<String, Object> top = TestImages.descriptor(OciImageSource.OCI_INDEX, index, sizeOf(layout, index));
        top.put("annotations", Map.of(OciImageSource.REF_NAME, "multi"));
        TestImages.writeIndex(layout, List.of(top));

        assertThat(resolve("oci:multi:multi").lowerDirsTopFirst().get(0).resolve("platform")).hasContent("ours");
    }

    @Test
    void anIndexWithoutThisPlatformListsTheOnesItHas() {
        Path layout = scratch.resolve("foreign");
        TestImages.Written s390x = TestImages.image().architecture("s390x").layer(new TarWriter().file("a", "a")).writeBlobs(layout);
        TestImages.Written ppc = TestImages.image().architecture("ppc64le").layer(new TarWriter().file("b", "b")).writeBlobs(layout);
        TestImages.writeIndex(layout, List.of(
                TestImages.manifestEntry(s390x, "t", Map.of("os", "linux", "architecture", "s390x")),
                TestImages.manifestEntry(ppc, "t", Map.of("os", "linux", "architecture", "ppc64le"))));
        assertThatThrownBy(() -> resolve("oci:foreign:t")).isInstanceOf(ImageException.class)
                .hasMessageContaining("has no image for linux/" + Platform.current().architecture())
                .hasMessageContaining("linux/s390x, linux/ppc64le")
                .hasMessageContaining("Foreign platforms are not supported");
    }

    @Test
    void aConfigForAnotherArchitectureIsRefused() {
        TestImages.image().architecture("riscv64").layer(new TarWriter().file("a", "a")).ociLayout(scratch.resolve("riscv"), "t");
        assertThatThrownBy(() -> resolve("oci:riscv")).hasMessageContaining("oci:riscv is an image for linux/riscv64")
                .hasMessageContaining("this machine is linux/" + Platform.current().architecture());
    }

    @Test
    void aTagThatIsNotThereListsTheTagsThatAre() {
        Path layout = scratch.resolve("tags");
        TestImages.Written one = TestImages.image().layer(new TarWriter().file("a", "1")).writeBlobs(layout);
        TestImages.Written two = TestImages.image().layer(new TarWriter().file("a", "2")).writeBlobs(layout);
        TestImages.writeIndex(layout, List.of(TestImages.manifestEntry(one, "1.0", null), TestImages.manifestEntry(two, "2.0", null)));

        assertThatThrownBy(() -> resolve("oci:tags:3.0")).isInstanceOf(ImageException.class)
                .hasMessageContaining("has no image tagged \"3.0\"; its tags are: 1.0, 2.0");
        assertThatThrownBy(() -> resolve("oci:tags")).hasMessageContaining("holds 2 images; name one with oci:tags:TAG")
                .hasMessageContaining("1.0, 2.0");
        assertThat(resolve("oci:tags:2.0").lowerDirsTopFirst().get(0).resolve("a")).hasContent("2");
    }

    @Test
    void aMissingImageIsNamedWithWhereItWasLookedFor() {
        assertThatThrownBy(() -> resolve("oci:images/none:1")).isInstanceOf(ImageException.class)
                .hasMessageContaining("there is no " + scratch.resolve("images/none"))
                .hasMessageContaining("resolved against " + scratch);
        assertThatThrownBy(() -> resolve("docker-archive:none.tar")).hasMessageContaining("there is no " + scratch.resolve("none.tar"));
    }

    @Test
    void theWrongKindOfFileIsNamedWithTheTransportToUse() throws Exception {
        Files.createDirectories(scratch.resolve("not-a-layout"));
        Files.writeString(scratch.resolve("file.tar"), "x");
        assertThatThrownBy(() -> resolve("oci:not-a-layout")).hasMessageContaining("is not an OCI image layout: it has no oci-layout");
        assertThatThrownBy(() -> resolve("oci:file.tar")).hasMessageContaining("is not a directory").hasMessageContaining("docker-archive:");
        assertThatThrownBy(() -> resolve("docker-archive:not-a-layout")).hasMessageContaining("is not a file").hasMessageContaining("oci:");
    }

    @Test
    void zstdLayersAreRefusedWithTheWayToConvertThem() {
        TestImages.image().layerMediaType("application/vnd.oci.image.layer.v1.tar+zstd").layer(new TarWriter().file("a", "a"))
                .ociLayout(scratch.resolve("zstd"), "t");
        assertThatThrownBy(() -> resolve("oci:zstd")).isInstanceOf(ImageException.class)
                .hasMessageContaining("layer 1/1 (sha256:")
                .hasMessageContaining("application/vnd.oci.image.layer.v1.tar+zstd")
                .hasMessageContaining("zstd-compressed layers are not supported")
                .hasMessageContaining("skopeo copy --dest-compress-format gzip");
    }

    @Test
    void anUnknownLayerMediaTypeIsNamed() {
        TestImages.image().layerMediaType("application/vnd.example.weird").layer(new TarWriter().file("a", "a"))
                .ociLayout(scratch.resolve("weird"), "t");
        assertThatThrownBy(() -> resolve("oci:weird")).hasMessageContaining("has the media type application/vnd.example.weird")
                .hasMessageContaining("supported are tar and tar+gzip layers");
    }

    @Test
    void anImageWithoutLayersIsAnEmptyDirectory() throws Exception {
        TestImages.image().ociLayout(scratch.resolve("empty"), "t");
        ResolvedImage image = resolve("oci:empty");
        assertThat(image.lowerDirsTopFirst()).hasSize(1);
        try (var listing = Files.list(image.lowerDirsTopFirst().get(0))) {
            assertThat(listing).isEmpty();
        }
    }

    @Test
    void aClassicDockerArchiveWithOneOrSeveralImages() {
        Map<String, TestImages.Image> images = new LinkedHashMap<>();
        images.put("example/app:1", TestImages.image().layer(new TarWriter().file("which", "app")));
        images.put("tool:latest", TestImages.image().layer(new TarWriter().file("which", "tool"))
                .config(Map.of("Env", List.of("TOOL=1"))));
        TestImages.classicDockerArchive(scratch.resolve("two.tar"), images);
        TestImages.classicDockerArchive(scratch.resolve("one.tar"), Map.of("solo:1", TestImages.image()
                .layer(new TarWriter().file("which", "solo"))));

        assertThat(top(resolve("docker-archive:one.tar")).resolve("which")).hasContent("solo");
        assertThat(top(resolve("docker-archive:two.tar:example/app:1")).resolve("which")).hasContent("app");
        ResolvedImage tool = resolve("docker-archive:two.tar:docker.io/library/tool");
        assertThat(top(tool).resolve("which")).hasContent("tool");
        assertThat(tool.config().env()).containsExactly("TOOL=1");
        assertThat(top(resolve("docker-archive:two.tar:@1")).resolve("which")).hasContent("tool");
        assertThatThrownBy(() -> resolve("docker-archive:two.tar"))
                .hasMessageContaining("holds 2 images; name one").hasMessageContaining("example/app:1, tool:latest");
        assertThatThrownBy(() -> resolve("docker-archive:two.tar:other:2"))
                .hasMessageContaining("has no image tagged \"other:2\"; its tags are: example/app:1, tool:latest");
        assertThatThrownBy(() -> resolve("docker-archive:two.tar:@2")).hasMessageContaining("holds 2 images; there is no @2");
        assertThatThrownBy(() -> resolve("docker-archive:two.tar:@99999999999")).hasMessageContaining("there is no @99999999999");
    }

    @Test
    void aDockerArchiveHoldingAnOciLayoutAsDocker25WritesIt() {
        TestImages.ociDockerArchive(scratch.resolve("new.tar"), scratch.resolve("new-layout"), twoLayers()
                .config(Map.of("WorkingDir", "/srv")), "example/new:2");

        ResolvedImage image = resolve("docker-archive:new.tar");
        assertThat(image.lowerDirsTopFirst()).hasSize(2);
        assertThat(top(image).resolve("app/run")).hasContent("run");
        assertThat(image.config().workingDir()).contains("/srv");
        assertThat(top(resolve("docker-archive:new.tar:example/new:2")).resolve("app/run")).exists();
        assertThatThrownBy(() -> resolve("docker-archive:new.tar:example/new:3"))
                .hasMessageContaining("its tags are: docker.io/example/new:2");
    }

    @Test
    void aCompressedDockerArchiveIsRefusedWithTheFix() throws Exception {
        TestImages.classicDockerArchive(scratch.resolve("plain.tar"), Map.of("a:1", TestImages.image()
                .layer(new TarWriter().file("x", "x"))));
        Files.write(scratch.resolve("app.tar.gz"), TarWriter.gzip(Files.readAllBytes(scratch.resolve("plain.tar"))));
        assertThatThrownBy(() -> resolve("docker-archive:app.tar.gz")).hasMessageContaining("is gzip-compressed")
                .hasMessageContaining("gunzip -k app.tar.gz");
    }

    @Test
    void aTarThatIsNoImageIsNamed() throws Exception {
        Files.write(scratch.resolve("other.tar"), new TarWriter().file("README", "hi").bytes());
        Files.write(scratch.resolve("garbage.tar"), new byte[2048 + 7]);
        java.nio.file.Files.writeString(scratch.resolve("text.tar"), "this is text, not a tar archive ".repeat(40));
        assertThatThrownBy(() -> resolve("docker-archive:other.tar")).hasMessageContaining("is not a docker save archive");
        assertThatThrownBy(() -> resolve("docker-archive:text.tar")).hasMessageContaining("wrong checksum")
                .hasMessageContaining("is it a docker save archive?");
    }

    @Test
    void aManifestThatDoesNotMatchItsDigestIsRefused() throws Exception {
        TestImages.Written written = twoLayers().ociLayout(scratch.resolve("tampered"), "t");
        Path manifest = scratch.resolve("tampered/blobs/sha256").resolve(written.manifestDigest().substring(7));
        Files.writeString(manifest, Files.readString(manifest).replace("\"schemaVersion\":2", "\"schemaVersion\":2 "));
        assertThatThrownBy(() -> resolve("oci:tampered")).hasMessageContaining("the manifest " + written.manifestDigest())
                .hasMessageContaining("hashes to sha256:").hasMessageContaining("corrupt or was changed");
    }

    private static Path top(ResolvedImage image) {
        return image.lowerDirsTopFirst().get(0);
    }

    private static long sizeOf(Path layout, String digest) {
        try {
            return Files.size(layout.resolve("blobs/sha256").resolve(digest.substring(7)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
