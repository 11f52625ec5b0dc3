package dev.containerized.container.host;

import dev.containerized.container.Change;
import dev.containerized.container.ContainerException;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bounds of changes() over a directory standing for an upper layer, without a container. Attack run
 * 6, F4: 100,000 names at a depth of 3.7 KB were 370 MB of Strings in the test JVM's heap.
 */
class ContainerChangesTests {
    private static final String LONG_NAME = "d".repeat(250);

    @TempDir
    Path upper;

    /** Ten directories of 250-byte names nested, and ten files in the deepest: about 14 KB of paths. */
    private void deepNames() throws IOException {
        Path deep = upper;
        for (int i = 0; i < 10; i++) {
            deep = Files.createDirectory(deep.resolve(LONG_NAME + i));
        }
        for (int i = 0; i < 10; i++) {
            Files.createFile(deep.resolve("file" + i));
        }
    }

    private List<Change> changes(int maxEntries, long maxPathBytes) {
        try (Fd layer = Fcntl.open(upper.toString(), Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0)) {
            return new ContainerChanges(layer, List.of(), Set.of(), maxEntries, maxPathBytes).list();
        }
    }

    @Test
    void pathsPastTheBoundInBytesAreRefusedWithTheCountAndWhatToDoInstead() throws IOException {
        deepNames();
        assertThatThrownBy(() -> changes(1000, 8 * 1024)).isInstanceOf(ContainerException.class)
                .hasMessageStartingWith("the container changed more than 8192 bytes of paths (")
                .hasMessageContaining("list the directory the test needs in the container instead");
    }

    @Test
    void entriesPastTheBoundAreRefused() throws IOException {
        deepNames();
        assertThatThrownBy(() -> changes(19, 1 << 20)).isInstanceOf(ContainerException.class)
                .hasMessageStartingWith("the container changed more than 19 entries in its root filesystem");
    }

    @Test
    void aListWithinTheBoundsIsWhole() throws IOException {
        deepNames();
        assertThat(changes(20, 1 << 20)).hasSize(20).allMatch(change -> change.kind() == Change.Kind.ADDED);
        assertThat(changes(ContainerChanges.MAX_ENTRIES, ContainerChanges.MAX_PATH_BYTES)).hasSize(20);
    }
}
