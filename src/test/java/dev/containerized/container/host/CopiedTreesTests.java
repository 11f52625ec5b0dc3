package dev.containerized.container.host;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerException;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.Leaks;
import dev.containerized.internal.linux.Xattrs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A link a copy brought out is known as one later too, in another JVM (a CI cache of target/, another
 * Surefire fork): by its mark, not by this JVM's memory.
 */
class CopiedTreesTests {
    @TempDir
    Path dir;

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void aCopiedLinkCarriesTheMark() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            c.exec("sh", "-c", "mkdir /out && ln -s /etc /out/link");
            c.copyFrom("/out", dir.resolve("out"));
        }
        assertThat(dir.resolve("out/link")).isSymbolicLink();
        assertThat(Xattrs.has(dir.resolve("out/link").toString(), CopiedTrees.MARK)).isTrue();
    }

    /** A link of another run: unknown to this JVM's list, known by its mark. The test's own links stay followed. */
    @Test
    void aMarkedLinkOfAnotherRunIsRefusedAndAnUnmarkedOneFollowed() throws Exception {
        Path victim = Files.createDirectories(dir.resolve("victim"));
        Path marked = Files.createSymbolicLink(dir.resolve("marked"), victim);
        Xattrs.set(marked.toString(), CopiedTrees.MARK, "1");
        Path own = Files.createSymbolicLink(dir.resolve("own"), victim);
        assertThatThrownBy(() -> CopiedTrees.requireNoLinkMadeByACopy(marked.resolve("file")))
                .isInstanceOf(ContainerException.class).hasMessageContaining(marked + " is a symbolic link to " + victim);
        assertThatCode(() -> CopiedTrees.requireNoLinkMadeByACopy(own.resolve("file"))).doesNotThrowAnyException();
    }
}
