package dev.containerized.container.host;

import dev.containerized.container.BackgroundProcess;
import dev.containerized.container.Container;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.Leaks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * openat2(2) with RESOLVE_IN_ROOT fails with EAGAIN when any rename or mount anywhere on the host races
 * a ".." of the path it resolves. On a busy CI host (other containers starting, builds moving files)
 * that is routine, and a process in any container can cause it at will: the host side retries, so one
 * container cannot make another's file operations fail.
 */
class ResolutionUnderRenamesTests {
    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void aNeighbourRenamingInALoopDoesNotFailAPathWithDotDots() {
        ContainerSpec spec = ContainerSpec.builder().build();
        try (Container renamer = Container.start(spec); Container reader = Container.start(spec)) {
            BackgroundProcess loop = renamer.execInBackground("sh", "-c",
                    "touch /tmp/a; while :; do mv /tmp/a /tmp/b; mv /tmp/b /tmp/a; done");
            reader.copyTo("found\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), "/srv/file");
            String path = "/srv/../srv/../srv/../srv/../srv/../srv/../srv/file";
            for (int i = 0; i < 3000; i++) {
                assertThat(reader.readString(path)).as("read %d", i).isEqualTo("found\n");
            }
            assertThat(loop.isAlive()).as("the renames went on all along").isTrue();
        }
    }
}
