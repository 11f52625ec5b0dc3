package dev.containerized.container;

import dev.containerized.rootfs.DefaultRootfs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Containers on images made as users make them: umoci turns the built-in rootfs into an OCI layout of
 * two layers (the second deletes /bin/ls and adds a file) with an image config, skopeo turns that into
 * a docker-archive. Both run, with the config's Env, WorkingDir, Entrypoint and Cmd as defaults.
 */
class ImageContainerTests {
    @TempDir
    static Path scratch;
    static String oci;
    static String archive;
    /** The same image, whose WorkingDir its layers lack, as umoci or buildah make one (a Dockerfile's WORKDIR makes it). */
    static String missingWorkingDir;

    @BeforeAll
    static void buildImages() throws Exception {
        assumeTrue(onPath("umoci") && onPath("skopeo"), "needs umoci and skopeo (apt-get install umoci skopeo)");
        Path layout = scratch.resolve("layout");
        Path bundle = scratch.resolve("bundle");
        run("umoci", "init", "--layout", layout.toString());
        run("umoci", "new", "--image", layout + ":app");
        run("umoci", "unpack", "--image", layout + ":app", bundle.toString());
        run("cp", "-a", DefaultRootfs.path() + "/.", bundle.resolve("rootfs").toString());
        run("umoci", "repack", "--image", layout + ":app", bundle.toString());
        run("rm", "-rf", bundle.toString());
        run("umoci", "unpack", "--image", layout + ":app", bundle.toString());
        Files.delete(bundle.resolve("rootfs/bin/ls"));
        Files.createDirectories(bundle.resolve("rootfs/srv/app"));
        Files.writeString(bundle.resolve("rootfs/srv/app/version"), "2.0\n");
        run("umoci", "repack", "--image", layout + ":app", bundle.toString());
        run("umoci", "config", "--image", layout + ":app", "--config.env", "APP_MODE=test", "--config.workingdir", "/srv/app",
                "--config.entrypoint", "/bin/sh", "--config.entrypoint", "-c", "--config.cmd", "echo default command in $(pwd)");
        oci = "oci:" + layout + ":app";
        run("umoci", "config", "--image", layout + ":app", "--tag", "nowd", "--config.workingdir", "/opt/missing/deep");
        missingWorkingDir = "oci:" + layout + ":nowd";
        Path tar = scratch.resolve("app.tar");
        run("skopeo", "copy", "--quiet", oci, "docker-archive:" + tar + ":app:latest");
        archive = "docker-archive:" + tar;
    }

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void anOciLayoutRunsWithItsLayersAndItsConfig() {
        assertRunsAsBuilt(oci);
    }

    @Test
    void aDockerArchiveRunsTheSame() {
        assertRunsAsBuilt(archive);
    }

    private static void assertRunsAsBuilt(String image) {
        try (Container c = Container.start(ContainerSpec.builder().image(image).env("EXTRA", "mine").build())) {
            assertThat(c.exec("sh", "-c", "echo $APP_MODE $EXTRA; pwd; cat version").stdout()).isEqualTo("test mine\n/srv/app\n2.0\n");
            assertThat(c.exec("ls").exitCode()).as("the second layer's whiteout").isEqualTo(127);
            assertThat(c.exec(Exec.of("pwd").workingDirectory("/")).stdout()).isEqualTo("/\n");
        }
    }

    /** Against every layer of the image: a file of either layer is changed, one the top layer deleted is new again. */
    @Test
    void changesAreTheDiffAgainstAllTheImagesLayers() {
        try (Container c = Container.start(ContainerSpec.builder().image(oci).build())) {
            assertThat(c.exec("sh", "-c", "echo 3.0 > /srv/app/version && echo more >> /etc/hosts && echo again > /bin/ls && rm /bin/cat")
                    .exitCode()).isZero();
            assertThat(c.changes().stream().map(Change::toString).toList())
                    .contains("C /srv/app/version", "C /etc/hosts", "A /bin/ls", "D /bin/cat", "C /bin", "C /etc");
        }
    }

    @Test
    void aPid1RunTakesTheImagesEntrypointAndCmd() {
        ContainerSpec spec = ContainerSpec.builder().image(oci).build();
        assertThat(Container.run(spec).stdout()).isEqualTo("default command in /srv/app\n");
        // Arguments replace Cmd and follow the Entrypoint, as with docker run IMAGE ARGS.
        assertThat(Container.run(spec, "echo $$ $APP_MODE").stdout()).isEqualTo("1 test\n");
    }

    @Test
    void anImagesWorkingDirItsLayersLackIsMadeAsDockerRunMakesIt() {
        try (Container c = Container.start(ContainerSpec.builder().image(missingWorkingDir).build())) {
            assertThat(c.exec("sh", "-c", "pwd; stat -c '%U %a' .").stdout()).isEqualTo("/opt/missing/deep\nroot 755\n");
        }
        // Made before the root turns read-only.
        assertThat(Container.run(ContainerSpec.builder().image(missingWorkingDir).readOnlyRootfs(true).build(), "pwd").stdout())
                .isEqualTo("/opt/missing/deep\n");
        // The spec's own is a test's choice, and a missing one more often a typo: still refused by name.
        assertThatThrownBy(() -> Container.start(ContainerSpec.builder().image(missingWorkingDir).workingDirectory("/also/missing").build()))
                .hasMessageContaining("chdir(\"/also/missing\"): ENOENT");
    }

    @Test
    void theSpecsOwnSettingsWinOverTheImages() {
        ContainerSpec spec = ContainerSpec.builder().image(oci).workingDirectory("/tmp").env("APP_MODE", "override").build();
        try (Container c = Container.start(spec)) {
            assertThat(c.exec("sh", "-c", "pwd; echo $APP_MODE").stdout()).isEqualTo("/tmp\noverride\n");
        }
        // "/" too, though it is where commands start without an image: docker run -w / wins over WorkingDir.
        try (Container c = Container.start(ContainerSpec.builder().image(oci).workingDirectory("/").build())) {
            assertThat(c.exec("pwd").stdout()).isEqualTo("/\n");
        }
    }

    @Test
    void aSecondStartReadsNoLayerAgainAndTheCacheIsShared() {
        for (int i = 0; i < 3; i++) {
            try (Container c = Container.start(ContainerSpec.builder().image(oci).build())) {
                c.exec("sh", "-c", "echo scratch > /srv/app/version");
            }
        }
        try (Container c = Container.start(ContainerSpec.builder().image(archive).build())) {
            assertThat(c.exec("cat", "/srv/app/version").stdout()).as("containers never write into the cached layers").isEqualTo("2.0\n");
        }
    }

    @Test
    void badImageReferencesAreRefusedWhenTheSpecIsBuilt() {
        assertThatThrownBy(() -> ContainerSpec.builder().image("docker://alpine").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("oci:");
        assertThatThrownBy(() -> ContainerSpec.builder().image("oci:" + scratch.resolve("nope")).build())
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> ContainerSpec.builder().image(oci).rootfs(DefaultRootfs.path()).build())
                .hasMessageContaining("one root filesystem");
        assertThatThrownBy(() -> Container.start(ContainerSpec.builder().image(oci.replace(":app", ":missing-tag")).build()))
                .isInstanceOf(ContainerException.class).hasMessageContaining("missing-tag");
    }

    private static boolean onPath(String program) {
        return List.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
