package dev.containerized.container.host;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerException;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.Leaks;
import dev.containerized.container.Mount;
import dev.containerized.rootfs.DefaultRootfs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The targets of user mounts in a root filesystem whose paths are symlinks (CVE-2019-16884 and kin, now
 * that images make hostile root filesystems a normal input): the container's own links are followed as a
 * process inside would see them, never out of its root; a bait directory on the host that the links
 * point at gets nothing.
 */
class UserMountTargetTests {
    @TempDir
    Path dir;

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    /** A copy of the built-in rootfs with these links; the bait's own path exists inside it too, as a directory of the image. */
    private Path rootfsWith(Path bait, String... linksAndTargets) throws Exception {
        Path rootfs = dir.resolve("rootfs");
        Process copy = new ProcessBuilder("cp", "-a", DefaultRootfs.path().toString(), rootfs.toString()).inheritIO().start();
        assertThat(copy.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Files.createDirectories(rootfs.resolve(bait.toString().substring(1)));
        for (int i = 0; i < linksAndTargets.length; i += 2) {
            Files.createSymbolicLink(rootfs.resolve(linksAndTargets[i]), Path.of(linksAndTargets[i + 1]));
        }
        return rootfs;
    }

    private static ContainerSpec spec(Path rootfs, Mount mount) {
        return ContainerSpec.builder().rootfs(rootfs).mount(mount).build();
    }

    /**
     * A directory on the host for the links to point at, outside /tmp (whose path inside the container is
     * covered by the container's own /tmp): the build's target directory, removed after the test.
     */
    private Path bait() throws Exception {
        Path bait = Files.createDirectories(Path.of("target", "mount-bait-" + System.nanoTime()).toAbsolutePath());
        baits.add(bait);
        return bait;
    }

    private final List<Path> baits = new java.util.ArrayList<>();

    @AfterEach
    void removeBaits() throws Exception {
        for (Path bait : baits) {
            Files.deleteIfExists(bait);
        }
    }

    private void assertBaitUntouched(Path bait) throws Exception {
        try (var entries = Files.list(bait)) {
            assertThat(entries).as("the bait the links point at").isEmpty();
        }
        assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo"))).noneMatch(line -> line.contains(dir.toString())
                || line.contains(bait.toString()));
    }

    @Test
    void aTargetThroughALinkToAnAbsoluteHostPathLandsInsideTheRoot() throws Exception {
        Path bait = bait();
        Path source = Files.createDirectories(dir.resolve("source"));
        Files.writeString(source.resolve("hello"), "from the host\n");
        Path rootfs = rootfsWith(bait, "data", bait.toString());
        try (Container container = Container.start(spec(rootfs, Mount.bind(source, "/data/app")))) {
            // Inside, /data leads to <root>/<bait's path>: the image's directory of that name.
            assertThat(container.exec("cat", "/data/app/hello").stdout()).isEqualTo("from the host\n");
            assertThat(container.exec("cat", bait + "/app/hello").stdout()).isEqualTo("from the host\n");
            assertBaitUntouched(bait);
        }
        assertBaitUntouched(bait);
    }

    @Test
    void aTargetThroughALinkClimbingOutOfTheRootStaysInIt() throws Exception {
        Path bait = bait();
        Path source = Files.createDirectories(dir.resolve("source"));
        Files.writeString(source.resolve("hello"), "climbed\n");
        Path rootfs = rootfsWith(bait, "up", "../../../../../../../../.." + bait);
        try (Container container = Container.start(spec(rootfs, Mount.bind(source, "/up/app").readWrite()))) {
            assertThat(container.exec("cat", "/up/app/hello").stdout()).isEqualTo("climbed\n");
            assertBaitUntouched(bait);
        }
        assertBaitUntouched(bait);
    }

    @Test
    void aTmpfsTargetThroughALinkToTheHostsEtcIsTheContainersEtc() throws Exception {
        Path rootfs = rootfsWith(bait(), "config", "/etc");
        try (Container container = Container.start(spec(rootfs, Mount.tmpfs("/config", "1m")))) {
            assertThat(container.exec("sh", "-c", "grep ' /etc ' /proc/self/mountinfo | cut -d' ' -f5,9").stdout()).isEqualTo("/etc tmpfs\n");
            assertThat(Path.of("/etc/passwd")).exists();
        }
    }

    @Test
    void aTargetBelowADanglingLinkIsRefusedByNameAndLeavesNothing() throws Exception {
        Path bait = bait();
        Path source = Files.createDirectories(dir.resolve("source"));
        Path rootfs = rootfsWith(bait, "data", bait + "/missing");
        assertThatThrownBy(() -> Container.start(spec(rootfs, Mount.bind(source, "/data/app"))))
                .isInstanceOf(ContainerException.class).hasMessageContaining("mount target /data/app: /data is a symlink whose target"
                        + " does not exist inside the container; mount on a path that exists in the image, or make the link's target there");
        assertBaitUntouched(bait);
    }
}
