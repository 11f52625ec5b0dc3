package dev.containerized.container;

import dev.containerized.container.host.ContainerIds;
import dev.containerized.container.host.StateDirectory;
import dev.containerized.junit.internal.EarlyPreparation;
import dev.containerized.rootfs.DefaultRootfs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bind mounts, tmpfs mounts and a read-only root, for real. */
class MountTests {
    @TempDir
    Path dir;

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void aReadOnlyBindMountShowsTheHostFilesAndRefusesWrites() throws Exception {
        Files.writeString(dir.resolve("fixture.txt"), "from the host\n");
        try (Container c = Container.start(ContainerSpec.builder().mount(Mount.bind(dir, "/fixtures")).build())) {
            assertThat(c.exec("cat", "/fixtures/fixture.txt").stdout()).isEqualTo("from the host\n");
            ExecResult write = c.exec("sh", "-c", "echo x > /fixtures/new");
            assertThat(write.exitCode()).isNotZero();
            assertThat(write.stderr()).contains("Read-only file system");
        }
        assertThat(dir.resolve("new")).doesNotExist();
    }

    @Test
    void aReadWriteTempDirIsWrittenInsideAndReadOnTheHost() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().mount(Mount.bind(dir, "/work").readWrite()).build())) {
            assertThat(c.exec("sh", "-c", "echo result > /work/out.txt && mkdir -p /work/sub/deeper").succeeded()).isTrue();
            assertThat(Files.readString(dir.resolve("out.txt"))).isEqualTo("result\n");
            assertThat(dir.resolve("sub/deeper")).isDirectory();
            // nodev and nosuid, as every writable mount: a device node there opens nothing.
            String mountinfo = c.exec("cat", "/proc/self/mountinfo").stdout();
            assertThat(mountinfo.lines().filter(l -> l.split(" ")[4].equals("/work")).findFirst().orElseThrow())
                    .contains("nosuid").contains("nodev");
        }
    }

    @Test
    void aSingleFileCanBeMountedOnAFileThatIsNotThereYet() throws Exception {
        Path config = Files.writeString(dir.resolve("app.conf"), "port=8080\n");
        try (Container c = Container.start(ContainerSpec.builder().mount(Mount.bind(config, "/etc/app/app.conf")).build())) {
            assertThat(c.exec("cat", "/etc/app/app.conf").stdout()).isEqualTo("port=8080\n");
        }
    }

    @Test
    void aTmpfsHasItsSizeAndSaysSoWhenFull() {
        try (Container c = Container.start(ContainerSpec.builder().tmpfs("/cache", "2m").build())) {
            assertThat(c.exec("sh", "-c", "echo fast > /cache/x && cat /cache/x").stdout()).isEqualTo("fast\n");
            ExecResult fill = c.exec("dd", "if=/dev/zero", "of=/cache/big", "bs=1M", "count=4");
            assertThat(fill.exitCode()).isNotZero();
            assertThat(fill.stderr()).contains("No space left on device");
        }
    }

    @Test
    void aReadOnlyRootRefusesWritesButItsMountsTakeThem() {
        ContainerSpec spec = ContainerSpec.builder().readOnlyRootfs(true).tmpfs("/scratch", "8m").build();
        try (Container c = Container.start(spec)) {
            ExecResult etc = c.exec("sh", "-c", "echo x > /etc/motd");
            assertThat(etc.exitCode()).isNotZero();
            assertThat(etc.stderr()).contains("Read-only file system");
            assertThat(c.exec("sh", "-c", "echo ok > /tmp/a && echo ok > /scratch/b && echo ok > /run/c && cat /tmp/a /scratch/b /run/c")
                    .stdout()).isEqualTo("ok\nok\nok\n");
            // copyTo too, naming the file it was to write, not the name it writes a copy under (review28 #2).
            assertThatThrownBy(() -> c.copyTo("x".getBytes(java.nio.charset.StandardCharsets.UTF_8), "/etc/motd"))
                    .hasMessageContaining("open(/etc/motd) for writing").hasMessageContaining("EROFS")
                    .hasMessageNotContaining("containerized-copy").hasMessageNotContaining("fd ");
        }
    }

    @Test
    void aMountTargetFollowsTheContainersSymlinksButNeverOutOfItsRoot() throws Exception {
        Path rootfs = copyOfDefaultRootfs();
        // An absolute link and one that climbs: inside the container both end in its own /srv.
        Files.createDirectories(rootfs.resolve("srv"));
        Files.createSymbolicLink(rootfs.resolve("data"), Path.of("/srv"));
        Files.createSymbolicLink(rootfs.resolve("climb"), Path.of("../../../../../../srv"));
        Path fixtures = Files.createDirectories(dir.resolve("fixtures"));
        Files.writeString(fixtures.resolve("f"), "mounted\n");
        ContainerSpec spec = ContainerSpec.builder().rootfs(rootfs)
                .mount(Mount.bind(fixtures, "/data/in")).mount(Mount.bind(fixtures, "/climb/up")).build();
        try (Container c = Container.start(spec)) {
            assertThat(c.exec("cat", "/srv/in/f", "/srv/up/f").stdout()).isEqualTo("mounted\nmounted\n");
        }
        // The host's /srv got nothing; the rootfs (the overlay's lower layer) neither.
        assertThat(Path.of("/srv/in")).doesNotExist();
        assertThat(rootfs.resolve("srv/in")).doesNotExist();
    }

    @Test
    void badMountsAreRefusedBeforeAnythingIsCreated() {
        long stateBefore = countStateDirectories();
        assertThatThrownBy(() -> Mount.bind(dir.resolve("missing"), "/x")).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> Mount.bind(dir, "relative/x")).hasMessageContaining("is relative");
        assertThatThrownBy(() -> Mount.bind(dir, "/a/../etc")).hasMessageContaining("climbs with \"..\"");
        assertThatThrownBy(() -> Mount.bind(dir, "/proc/sys")).hasMessageContaining("inside /proc");
        assertThatThrownBy(() -> Mount.tmpfs("/dev", "1m")).hasMessageContaining("inside /dev");
        assertThatThrownBy(() -> Mount.tmpfs("/sys/x", "1m")).hasMessageContaining("inside /sys");
        assertThatThrownBy(() -> Mount.tmpfs("/", "1m")).hasMessageContaining("root itself");
        assertThatThrownBy(() -> Mount.tmpfs("/x", "lots")).hasMessageContaining("\"lots\" does not parse");
        assertThatThrownBy(() -> Mount.tmpfs("/x", "1m").readWrite()).hasMessageContaining("for bind mounts");
        assertThatThrownBy(() -> ContainerSpec.builder().mount(Mount.bind(dir, "/x")).mount(Mount.tmpfs("/x", "1m")).build())
                .hasMessageContaining("two mounts have the target /x");
        assertThat(countStateDirectories()).isEqualTo(stateBefore);
    }

    @Test
    void aMountTargetOfTheWrongKindIsASetupErrorThatLeavesNothing() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        // /etc/hosts is a file in the rootfs: a directory cannot go there.
        ContainerSpec spec = ContainerSpec.builder().mount(Mount.bind(dir, "/etc/hosts")).build();
        assertThatThrownBy(() -> Container.start(spec)).isInstanceOf(ContainerException.class)
                .hasMessageContaining("mount target /etc/hosts is not a directory in the container");
        ContainerSpec fileOnDir = ContainerSpec.builder().mount(Mount.bind(file, "/etc")).build();
        assertThatThrownBy(() -> Container.start(fileOnDir)).hasMessageContaining("mount target /etc is a directory");
    }

    private Path copyOfDefaultRootfs() throws Exception {
        Path copy = dir.resolve("rootfs");
        Process cp = new ProcessBuilder("cp", "-a", DefaultRootfs.path().toString(), copy.toString()).inheritIO().start();
        assertThat(cp.waitFor()).isZero();
        return copy;
    }

    /** This JVM's: other runs on the host come and go, and the JUnit run's throwaway container is awaited. */
    private static long countStateDirectories() {
        try {
            assertThat(EarlyPreparation.awaitFinished(Duration.ofSeconds(30))).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        try (var dirs = Files.list(StateDirectory.base())) {
            return dirs.filter(d -> d.getFileName().toString().startsWith(ContainerIds.thisJvm())).count();
        } catch (Exception e) {
            return 0;
        }
    }
}
