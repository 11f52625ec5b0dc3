package dev.containerized.rootfs;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Image references in skopeo's syntax, checked before anything is created. */
class ImageReferenceTests {
    @Test
    void ociLayoutWithAndWithoutTag() {
        ImageReference tagged = ImageReference.parse("oci:images/app:1.2");
        assertThat(tagged.transport()).isEqualTo(ImageReference.Transport.OCI);
        assertThat(tagged.path()).isEqualTo("images/app");
        assertThat(tagged.tag()).contains("1.2");
        assertThat(tagged).hasToString("oci:images/app:1.2");
        assertThat(ImageReference.parse("oci:/abs/layout").tag()).isEmpty();
    }

    @Test
    void dockerArchiveWithNameTagOrIndex() {
        ImageReference named = ImageReference.parse("docker-archive:target/app.tar:example/app:latest");
        assertThat(named.path()).isEqualTo("target/app.tar");
        assertThat(named.tag()).contains("example/app:latest");
        assertThat(ImageReference.parse("docker-archive:app.tar:@1").tag()).contains("@1");
        assertThat(ImageReference.parse("docker-archive:app.tar").tag()).isEqualTo(Optional.empty());
    }

    @Test
    void relativePathsResolveAgainstTheBaseDirectory() {
        assertThat(ImageReference.parse("oci:images/../images/app").resolvePath(Path.of("/project")))
                .isEqualTo(Path.of("/project/images/app"));
        assertThat(ImageReference.parse("oci:/elsewhere/app").resolvePath(Path.of("/project")))
                .isEqualTo(Path.of("/elsewhere/app"));
    }

    @Test
    void theLowerdirOptionListsTheTopLayerFirstWithOverlaysEscapes() {
        ResolvedImage image = new ResolvedImage(java.util.List.of(Path.of("/c/top"), Path.of("/c/odd:name,x\\y")),
                ImageConfig.empty());
        assertThat(image.lowerdirOption()).isEqualTo("lowerdir=/c/top:/c/odd\\:name\\,x\\\\y");
    }

    @Test
    void anUnknownTransportListsTheKnownOnesAndSaysImagesAreNotPulled() {
        assertThatThrownBy(() -> ImageReference.parse("docker://alpine:3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown transport \"docker\"")
                .hasMessageContaining("known transports: oci:, docker-archive:")
                .hasMessageContaining("skopeo copy docker://alpine:3 oci:images/alpine:3");
    }

    @Test
    void malformedReferencesSayWhatIsExpected() {
        assertThatThrownBy(() -> ImageReference.parse("alpine")).hasMessageContaining("has no transport")
                .hasMessageContaining("expected oci:DIR[:TAG] or docker-archive:FILE.tar[:NAME:TAG]");
        assertThatThrownBy(() -> ImageReference.parse(" ")).hasMessageContaining("is empty");
        assertThatThrownBy(() -> ImageReference.parse("oci:")).hasMessageContaining("has no path after \"oci:\"");
        assertThatThrownBy(() -> ImageReference.parse("oci:dir:")).hasMessageContaining("names no tag after it");
        assertThatThrownBy(() -> ImageReference.parse("oci:dir:a b")).hasMessageContaining("whitespace");
        assertThatThrownBy(() -> ImageReference.parse("docker-archive:a.tar:@x")).hasMessageContaining("@0, @1");
    }
}
