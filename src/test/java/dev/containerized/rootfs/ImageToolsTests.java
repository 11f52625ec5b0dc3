package dev.containerized.rootfs;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Images made by real tools, as users make them: umoci builds an OCI layout of two layers (a static
 * busybox and files of several owners and modes, then a layer that deletes a file and replaces a
 * directory), skopeo turns it into a docker archive and into zstd layers. Each is resolved, mounted
 * as an overlay for real, and run with chroot.
 */
class ImageToolsTests {
    private static final long OLD = 1_000_000_000L;
    private static final long OLDER = 900_000_000L;

    @TempDir
    static Path scratch;
    private static Path layout;

    @BeforeAll
    static void buildTheImageWithUmoci() throws Exception {
        assumeTrue(onPath("umoci") && onPath("skopeo"), "needs umoci and skopeo (apt-get install umoci skopeo)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/busybox")), "needs a static /usr/bin/busybox (apt-get install busybox-static)");
        layout = scratch.resolve("layout");
        Path bundle = scratch.resolve("bundle");
        run("umoci", "init", "--layout", layout.toString());
        run("umoci", "new", "--image", layout + ":t");

        run("umoci", "unpack", "--image", layout + ":t", bundle.toString());
        Path rootfs = bundle.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(Path.of("/usr/bin/busybox"), rootfs.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : List.of("sh", "cat", "ls", "test")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.createDirectories(rootfs.resolve("etc/conf.d"));
        Files.writeString(rootfs.resolve("etc/hostname"), "image-host\n");
        Files.writeString(rootfs.resolve("etc/conf.d/old-1"), "1");
        Files.writeString(rootfs.resolve("etc/conf.d/old-2"), "2");
        Path tool = Files.createDirectories(rootfs.resolve("usr/local/bin")).resolve("suid-tool");
        Files.writeString(tool, "#!/bin/sh\necho tool\n");
        run("chown", "1000:1000", tool.toString());
        run("chmod", "4755", tool.toString());
        run("touch", "-h", "-d", "@" + OLD, tool.toString());
        Files.createLink(rootfs.resolve("usr/local/bin/suid-tool-link"), tool);
        Files.createDirectories(rootfs.resolve("run"));
        run("mkfifo", "-m", "0620", rootfs.resolve("run/fifo").toString());
        run("umoci", "repack", "--image", layout + ":t", bundle.toString());
        run("umoci", "config", "--image", layout + ":t", "--config.env", "FOO=bar", "--config.workingdir", "/srv",
                "--config.user", "1000", "--config.entrypoint", "/bin/sh", "--config.cmd", "-c", "--config.cmd", "echo hi",
                "--config.exposedports", "8080/tcp");

        run("rm", "-rf", bundle.toString());
        run("umoci", "unpack", "--image", layout + ":t", bundle.toString());
        Files.delete(rootfs.resolve("etc/hostname"));
        run("rm", "-rf", rootfs.resolve("etc/conf.d").toString());
        Files.createDirectories(rootfs.resolve("etc/conf.d"));
        Files.writeString(rootfs.resolve("etc/conf.d/new.conf"), "new\n");
        Path srv = Files.createDirectories(rootfs.resolve("srv"));
        Files.writeString(srv.resolve("data"), "data\n");
        run("chown", "33:33", srv.toString());
        run("chmod", "0750", srv.toString());
        run("touch", "-d", "@" + OLDER, srv.toString());
        run("umoci", "repack", "--image", layout + ":t", bundle.toString());
    }

    private static ResolvedImage resolve(String reference) {
        return Images.resolve(ImageReference.parse(reference), scratch, scratch.resolve("cache"));
    }

    @Test
    void theUmociLayoutAsARootFilesystem() throws Exception {
        ResolvedImage image = resolve("oci:layout:t");

        assertThat(image.lowerDirsTopFirst()).hasSize(2);
        assertThat(image.config().env()).contains("FOO=bar");
        assertThat(image.config().workingDir()).contains("/srv");
        assertThat(image.config().user()).contains("1000");
        assertThat(image.config().command()).containsExactly("/bin/sh", "-c", "echo hi");
        assertThat(image.config().exposedPorts()).containsExactly("8080/tcp");
        Path bottom = image.lowerDirsTopFirst().get(1);
        assertThat(LayerUnpackerTests.unix(bottom.resolve("usr/local/bin/suid-tool-link"), "ino"))
                .as("a hard link in the layer").isEqualTo(LayerUnpackerTests.unix(bottom.resolve("usr/local/bin/suid-tool"), "ino"));
        assertTheImagesTree(image);
    }

    @Test
    void theSameImageAsADockerArchiveFromSkopeo() throws Exception {
        Path archive = scratch.resolve("image.tar");
        if (!Files.exists(archive)) {
            run("skopeo", "copy", "oci:" + layout + ":t", "docker-archive:" + archive + ":example/t:latest");
        }
        ResolvedImage image = resolve("docker-archive:image.tar");
        assertThat(resolve("docker-archive:image.tar:example/t:latest")).isEqualTo(image);
        assertThat(image.lowerDirsTopFirst()).as("skopeo's plain layers have the diff_ids of umoci's gzip ones: one cache entry")
                .isEqualTo(resolve("oci:layout:t").lowerDirsTopFirst());
        assertThat(image.config().workingDir()).contains("/srv");
        assertTheImagesTree(image);
    }

    @Test
    void zstdLayersFromSkopeoAreRefusedAndTheSuggestedCopyWorks() throws Exception {
        run("skopeo", "copy", "--dest-compress-format", "zstd", "oci:" + layout + ":t", "oci:" + scratch.resolve("zstd") + ":t");
        assertThatThrownBy(() -> resolve("oci:zstd:t")).isInstanceOf(ImageException.class)
                .hasMessageContaining("tar+zstd").hasMessageContaining("zstd-compressed layers are not supported");

        run("skopeo", "copy", "--dest-compress-format", "gzip", "oci:" + scratch.resolve("zstd") + ":t",
                "oci:" + scratch.resolve("gzip-again") + ":t");
        assertThat(resolve("oci:gzip-again:t").lowerDirsTopFirst()).isEqualTo(resolve("oci:layout:t").lowerDirsTopFirst());
    }

    private static void assertTheImagesTree(ResolvedImage image) throws Exception {
        OverlayMounts.inspect(image.lowerDirsTopFirst(), scratch, merged -> {
            assertThat(merged.resolve("bin/busybox")).isExecutable().hasSameBinaryContentAs(Path.of("/usr/bin/busybox"));
            assertThat(merged.resolve("etc/hostname")).as("deleted by the second layer").doesNotExist();
            try (Stream<Path> conf = Files.list(merged.resolve("etc/conf.d"))) {
                assertThat(conf.map(p -> p.getFileName().toString())).as("the directory replaced").containsExactly("new.conf");
            }
            Path tool = merged.resolve("usr/local/bin/suid-tool");
            assertThat(LayerUnpackerTests.unix(tool, "mode") & 07777).isEqualTo(04755);
            assertThat(LayerUnpackerTests.unix(tool, "uid")).isEqualTo(1000);
            assertThat(LayerUnpackerTests.unix(tool, "gid")).isEqualTo(1000);
            assertThat(LayerUnpackerTests.mtime(tool)).isEqualTo(OLD);
            Path srv = merged.resolve("srv");
            assertThat(LayerUnpackerTests.unix(srv, "mode") & 07777).isEqualTo(0750);
            assertThat(LayerUnpackerTests.unix(srv, "uid")).isEqualTo(33);
            assertThat(((FileTime) Files.getAttribute(srv, "unix:lastModifiedTime", LinkOption.NOFOLLOW_LINKS))
                    .toInstant().getEpochSecond()).as("a directory's time, set after its files").isEqualTo(OLDER);
            assertThat(LayerUnpackerTests.stat(merged.resolve("run/fifo")).type()).isEqualTo(dev.containerized.internal.linux.Fcntl.S_IFIFO);

            // The tree works as a root filesystem: its own static shell runs in it.
            String out = run("chroot", merged.toString(), "/bin/sh", "-c",
                    "cat /etc/conf.d/new.conf; test -e /etc/hostname || echo hostname-gone; /usr/local/bin/suid-tool");
            assertThat(out).isEqualTo("new\nhostname-gone\ntool\n");
        });
    }

    private static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + " said:\n" + output).isZero();
        return output;
    }
}
