package dev.containerized.container;

import dev.containerized.container.host.ContainerIds;
import dev.containerized.container.host.StateDirectory;
import dev.containerized.container.host.WritableLayer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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

    @Test
    void inMemoryTheLayerIsAsBigAsTheMemoryLimitAndCountsAsTheContainersMemory() {
        try (Container c = Container.start(ContainerSpec.builder().memoryLimit("32m").build())) {
            assertThat(c.exec("sh", "-c", "df -k / | tail -1 | awk '{print $2}'")).succeeded().stdout().isEqualTo("32768\n");
            // The memory limit counts the layer's pages with everything else, so it is reached first and the
            // writer is OOM-killed; where the kernel reclaimed enough of the rest first, the tmpfs is full.
            ExecResult past = c.exec("sh", "-c", "dd if=/dev/zero of=/big bs=1M count=64");
            org.assertj.core.api.Assertions.assertThat(past.oomKilled() || past.stderr().contains("No space left on device"))
                    .as(past.describe()).isTrue();
            // The layer's pages were the container's: freed, it writes again.
            assertThat(c.exec("sh", "-c", "rm /big && dd if=/dev/zero of=/small bs=1M count=4 2>/dev/null && echo ok"))
                    .succeeded().stdout().isEqualTo("ok\n");
        }
    }

    @Test
    void onTheStateDirectorysFilesystemWhenAskedTheHostHoldsTheLayer() throws IOException {
        System.setProperty(WritableLayer.PROPERTY, "stateDir");
        Path state;
        try (Container c = Container.start(ContainerSpec.builder().memoryLimit("32m").build())) {
            state = StateDirectory.base().resolve(c.id());
            // Past the memory limit: the page cache of a disk filesystem is written back, not counted for good.
            assertThat(c.exec("sh", "-c", "dd if=/dev/zero of=/big bs=1M count=64 2>/dev/null && echo written > /etc/note"))
                    .succeeded().wasNotOomKilled();
            org.assertj.core.api.Assertions.assertThat(state.resolve("upper/etc/note")).hasContent("written");
            org.assertj.core.api.Assertions.assertThat(state.resolve("upper/big")).hasSize(64L << 20);
            org.assertj.core.api.Assertions.assertThat(entries(state)).contains("lock", "upper", "work", "merged", "lower0");
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
