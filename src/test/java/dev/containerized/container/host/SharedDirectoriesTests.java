package dev.containerized.container.host;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerException;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.Leaks;
import dev.containerized.container.Mount;
import dev.containerized.internal.linux.Xattrs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The directories containers were given to write, known to later JVMs by their mark. */
class SharedDirectoriesTests {
    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    /**
     * A later JVM knows nothing of this one's containers: the mark alone must keep a link a container
     * put in a shared workspace from being followed (by a copy, or by a later container's mount).
     */
    @Test
    void aLinkPutThereByAContainerOfAnEarlierJvmIsRefusedByItsMark(@TempDir Path dir) throws Exception {
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Path victim = Files.createDirectories(dir.resolve("victim"));
        try (Container earlier = Container.start(ContainerSpec.builder().mount(Mount.bind(shared, "/shared").readWrite()).build())) {
            assertThat(earlier.exec("ln", "-s", victim.toString(), "/shared/out").exitCode()).isZero();
        }
        assertThat(Xattrs.has(shared.toString(), SharedDirectories.MARK)).as("the mark on the shared directory").isTrue();
        SharedDirectories.forgetThisJvmsList(); // what a later JVM knows

        assertThatThrownBy(() -> new HostPaths("cannot copy").openDirectory(shared.resolve("out/results"), true))
                .isInstanceOf(ContainerException.class).hasMessageContaining("is a symbolic link in a directory a container was given to write");
        assertThatThrownBy(() -> Container.start(ContainerSpec.builder().mount(Mount.bind(shared.resolve("out"), "/data").readWrite()).build()))
                .hasMessageContaining("is a symbolic link in a directory a container was given to write");

        assertThat(victim).isEmptyDirectory();
    }
}
