package dev.containerized.container;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Spec validation: each bad value is refused at build time, by name, with what to use instead. */
class ContainerSpecTests {
    @Test
    void defaultsAreUsable() {
        ContainerSpec spec = ContainerSpec.builder().build();
        assertThat(spec.rootfs()).isEmpty();
        assertThat(spec.hostname()).isEqualTo("containerized");
        assertThat(spec.pidsLimit()).isEmpty();
        assertThat(spec.memoryLimitBytes()).isEmpty();
        // Only what the user sets; PATH, HOME, TERM and HOSTNAME are the runtime's, under it (ContainerTests checks them).
        assertThat(spec.environment()).isEmpty();
        assertThat(spec.workingDirectory()).as("unset: an image's, else /").isEmpty();
        assertThat(spec.image()).isEmpty();
        assertThat(spec.seccomp()).isEqualTo(Seccomp.DEFAULT);
    }

    @Test
    void memorySizesParseLikeDockers() {
        assertThat(MemorySize.parseBytes("64m")).isEqualTo(64L << 20);
        assertThat(MemorySize.parseBytes("1G")).isEqualTo(1L << 30);
        assertThat(MemorySize.parseBytes("512k")).isEqualTo(512L << 10);
        assertThat(MemorySize.parseBytes("64mb")).isEqualTo(64L << 20);
        assertThat(MemorySize.parseBytes("4096")).isEqualTo(4096);
        for (String bad : new String[] {"", "m", "-1m", "0", "12x", "1.5g", "99999999999999999g"}) {
            assertThatThrownBy(() -> MemorySize.parseBytes(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"" + bad + "\"").hasMessageContaining("64m");
        }
    }

    @Test
    void badValuesAreRefusedByName() {
        assertThatThrownBy(() -> ContainerSpec.builder().pidsLimit(0)).hasMessageContaining("pids limit 0");
        assertThatThrownBy(() -> ContainerSpec.builder().memoryLimit("1m")).hasMessageContaining("below 4 MiB");
        assertThatThrownBy(() -> ContainerSpec.builder().memoryLimit("lots")).hasMessageContaining("\"lots\" does not parse");
        assertThatThrownBy(() -> ContainerSpec.builder().hostname("no spaces").build()).hasMessageContaining("hostname \"no spaces\"");
        assertThatThrownBy(() -> ContainerSpec.builder().hostname("x".repeat(65)).build()).hasMessageContaining("hostname");
        assertThatThrownBy(() -> ContainerSpec.builder().workingDirectory("tmp").build()).hasMessageContaining("absolute");
        assertThatThrownBy(() -> ContainerSpec.builder().env("A=B", "c")).hasMessageContaining("\"A=B\"");
        assertThatThrownBy(() -> ContainerSpec.builder().execTimeout(Duration.ZERO)).hasMessageContaining("must be positive");
    }

    @Test
    void aMissingOrEmptyRootfsIsRefusedBeforeAnythingIsCreated(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ContainerSpec.builder().rootfs(dir.resolve("nope")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThatThrownBy(() -> ContainerSpec.builder().rootfs(empty).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is empty");
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> ContainerSpec.builder().rootfs(file).build()).hasMessageContaining("not a directory");
    }

    @Test
    void toBuilderKeepsEverything() {
        ContainerSpec spec = ContainerSpec.builder().hostname("h").pidsLimit(5).memoryLimit("8m").env("X", "1").build();
        assertThat(spec.toBuilder().build()).isEqualTo(spec);
    }
}
