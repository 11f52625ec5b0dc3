package dev.containerized.container;

import dev.containerized.container.host.ContainerIds;
import dev.containerized.container.host.StateDirectory;
import dev.containerized.container.host.WritableLayer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Where a container's writes to its root filesystem go: a tmpfs of its own by default, charged to its
 * memory and never on the host's disk; the state directory's filesystem with
 * {@code -Dcontainerized.writableLayer=stateDir}.
 */
class WritableLayerTests {
    @AfterEach
    void nothingLeftBehind() {
        System.clearProperty(WritableLayer.PROPERTY);
        org.assertj.core.api.Assertions.assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void byDefaultTheLayerIsAMemoryFilesystemAndTheHostSeesOnlyTheLock() throws IOException {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            assertThat(c.exec("sh", "-c", "echo written > /etc/note && mkdir /opt && printf '#!/bin/sh\\necho runs\\n' > /opt/mine && chmod +x /opt/mine && /opt/mine"))
                    .succeeded().stdout().isEqualTo("runs\n");
            // A tmpfs of the kernel's default size, half the RAM, not the state directory's filesystem.
            ExecResult sizes = c.exec("sh", "-c", "df -k / | tail -1 | awk '{print $2}'; awk '/^MemTotal/ {print $2}' /proc/meminfo");
            assertThat(sizes).succeeded();
            long[] kib = sizes.stdout().lines().mapToLong(Long::parseLong).toArray();
            org.assertj.core.api.Assertions.assertThat(kib[0]).isCloseTo(kib[1] / 2, org.assertj.core.api.Assertions.within(4L));
            org.assertj.core.api.Assertions.assertThat(entries(StateDirectory.base().resolve(c.id()))).containsExactly("lock");
            org.assertj.core.api.Assertions.assertThat(c.changes()).extracting(Change::path)
                    .contains("/etc/note", "/opt/mine");
            org.assertj.core.api.Assertions.assertThat(c.readFile("/etc/note")).asString().isEqualTo("written\n");
        }
    }

    /**
     * Under a memory limit the layer leaves its processes room: 64 MiB, or half of a smaller limit. A layer
     * as big as the limit filled the memory cgroup with pages nothing could reclaim, and the next fork's
     * OOM kill took PID 1 and the container with it (review26 #3: every way of filling it but dd bs=1M).
     */
    @Test
    void inMemoryAFullLayerIsTheWritersENOSPCAndTheContainerGoesOn() {
        try (Container c = Container.start(ContainerSpec.builder().memoryLimit("32m").build())) {
            assertThat(c.exec("sh", "-c", "df -k / | tail -1 | awk '{print $2}'")).succeeded().stdout().isEqualTo("16384\n");
            for (String fill : List.of("cat /dev/zero > /f", "yes > /f", "dd if=/dev/zero of=/f bs=4k")) {
                assertThat(c.exec("sh", "-c", fill)).as(fill).exitedWith(1).wasNotOomKilled().stderr().contains("No space left on device");
                assertThat(c.exec("sh", "-c", "echo still here")).as("after " + fill).succeeded().stdout().isEqualTo("still here\n");
            }
            // The layer's pages were the container's: freed, it writes again.
            assertThat(c.exec("sh", "-c", "rm /f && dd if=/dev/zero of=/small bs=1M count=4 2>/dev/null && echo ok"))
                    .succeeded().stdout().isEqualTo("ok\n");
        }
        try (Container c = Container.start(ContainerSpec.builder().memoryLimit("256m").build())) {
            assertThat(c.exec("sh", "-c", "df -k / | tail -1 | awk '{print $2}'")).succeeded().stdout().isEqualTo("196608\n");
        }
    }

    /**
     * A copy that finds the layer full fails, and leaves no short file that a program or a retry would take
     * for the whole, nor its half-written copy aside; a file that was there stays as it was.
     */
    @Test
    void aCopyThatFindsTheLayerFullLeavesNoPartOfTheFile(@TempDir Path dir) throws IOException {
        Path big = dir.resolve("fixture.bin");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            byte[] block = new byte[1 << 20];
            java.util.Arrays.fill(block, (byte) 'x');
            for (int i = 0; i < 40; i++) {
                file.write(block);
            }
        }
        try (Container c = Container.start(ContainerSpec.builder().memoryLimit("16m").build())) {
            assertThatThrownBy(() -> c.copyTo(big, "/data/fixture.bin")).isInstanceOf(ContainerException.class)
                    .hasMessageContaining("No space left on device")
                    .hasMessageContaining("under its memory limit, each tmpfs of the container, its root filesystem's writable "
                            + "layer included unless -Dcontainerized.writableLayer=stateDir, holds at most 8 MiB: raise memoryLimit");
            assertThatThrownBy(() -> c.copyTo(new byte[20 << 20], "/data/bytes.bin")).isInstanceOf(ContainerException.class)
                    .hasMessageContaining("No space left on device");
            assertThat(c.exec("sh", "-c", "ls -A /data; echo fits > /data/small && cat /data/small")).succeeded()
                    .stdout().isEqualTo("fits\n");
            // What was there stays as it was: the copy is written aside and renamed into place only once whole.
            assertThat(c.exec("sh", "-c", "echo old > /data/a && ln /data/a /data/b")).succeeded();
            assertThatThrownBy(() -> c.copyTo(big, "/data/a")).isInstanceOf(ContainerException.class)
                    .hasMessageContaining("No space left on device");
            assertThat(c.exec("sh", "-c", "ls -A /data; stat -c %h /data/a; cat /data/a")).succeeded()
                    .stdout().isEqualTo("a\nb\nsmall\n2\nold\n");
        }
    }

    /**
     * On a disk filesystem, what a container writes past its memory limit is page cache written back, not
     * memory it keeps. Its own state directory below target/, on the build's disk: where the default
     * {@code /run} is a tmpfs (most hosts), the layer's pages would be memory again.
     */
    @Test
    void onTheStateDirectorysFilesystemWhenAskedTheHostHoldsTheLayer() throws IOException {
        Path disk = Files.createDirectories(Path.of("target", "state-on-disk").toAbsolutePath());
        String type = Files.getFileStore(disk).type();
        Assumptions.assumeTrue(List.of("ext4", "ext3", "ext2", "xfs", "btrfs", "f2fs").contains(type),
                "the build directory is on a " + type + ", not a local disk filesystem that holds an upper layer");
        String previousBase = System.getProperty(StateDirectory.BASE_PROPERTY);
        System.setProperty(WritableLayer.PROPERTY, "stateDir");
        System.setProperty(StateDirectory.BASE_PROPERTY, disk.toString());
        Path state;
        try (Container c = Container.start(ContainerSpec.builder().memoryLimit("32m").build())) {
            state = disk.resolve(c.id());
            assertThat(c.exec("sh", "-c", "dd if=/dev/zero of=/big bs=1M count=64 2>/dev/null && echo written > /etc/note"))
                    .succeeded().wasNotOomKilled();
            org.assertj.core.api.Assertions.assertThat(state.resolve("upper/etc/note")).hasContent("written");
            org.assertj.core.api.Assertions.assertThat(state.resolve("upper/big")).hasSize(64L << 20);
            org.assertj.core.api.Assertions.assertThat(entries(state)).contains("lock", "upper", "work", "merged", "lower0");
        } finally {
            if (previousBase == null) {
                System.clearProperty(StateDirectory.BASE_PROPERTY);
            } else {
                System.setProperty(StateDirectory.BASE_PROPERTY, previousBase);
            }
        }
        org.assertj.core.api.Assertions.assertThat(state).doesNotExist();
    }

    @Test
    void anotherValueIsRefusedWithTheTwoItMayTakeAndNothingIsMade() throws IOException {
        System.setProperty(WritableLayer.PROPERTY, "disk");
        List<String> before = ownStateDirectories();
        assertThatThrownBy(() -> Container.start(ContainerSpec.builder().build())).isInstanceOf(ContainerException.class)
                .hasMessage("-Dcontainerized.writableLayer=disk is not a place for the containers' writable layer: use memory"
                        + " (the default: a tmpfs of each container's own, charged to its memory) or stateDir (the state"
                        + " directory's filesystem, " + StateDirectory.base() + ")");
        org.assertj.core.api.Assertions.assertThat(ownStateDirectories()).isEqualTo(before);
    }

    @Test
    void theValueIsTakenInAnyCaseAndWithBlanksAround() {
        System.setProperty(WritableLayer.PROPERTY, " StateDir ");
        org.assertj.core.api.Assertions.assertThat(WritableLayer.configured()).isEqualTo(WritableLayer.STATE_DIRECTORY);
        System.setProperty(WritableLayer.PROPERTY, "MEMORY");
        org.assertj.core.api.Assertions.assertThat(WritableLayer.configured()).isEqualTo(WritableLayer.MEMORY);
    }

    /** This JVM's: other runs on the host come and go. */
    private static List<String> ownStateDirectories() throws IOException {
        return entries(StateDirectory.base()).stream().filter(name -> name.startsWith(ContainerIds.thisJvm())).toList();
    }

    private static List<String> entries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
