package dev.containerized.container;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A setup step that fails names the step, the path and the errno, and leaves nothing behind. */
class SetupFailureTests {
    @TempDir
    Path dir;

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    /** A rootfs whose /proc is a file: the init cannot mount proc there. */
    private Path brokenRootfs() throws Exception {
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        Files.writeString(rootfs.resolve("proc"), "not a directory");
        return rootfs;
    }

    @Test
    void aContainerWhoseSetupFailsSaysWhichStepAndPath() throws Exception {
        ContainerSpec spec = ContainerSpec.builder().rootfs(brokenRootfs()).build();
        assertThatThrownBy(() -> Container.start(spec))
                .isInstanceOf(ContainerException.class)
                .hasMessageContaining("container setup failed: mount proc: mkdir ")
                .hasMessageContaining("/merged/proc: EEXIST (a file that is not a directory is in the way)");
    }

    @Test
    void aPid1RunWhoseSetupFailsSaysSoToo() throws Exception {
        ContainerSpec spec = ContainerSpec.builder().rootfs(brokenRootfs()).build();
        assertThatThrownBy(() -> Container.run(spec, "/bin/sh"))
                .isInstanceOf(ContainerException.class)
                .hasMessageContaining("container setup failed: mount proc");
    }

    @Test
    void aMissingWorkingDirectoryIsNamedWithItsErrno() {
        ContainerSpec spec = ContainerSpec.builder().workingDirectory("/no/such/dir").build();
        assertThatThrownBy(() -> Container.run(spec, "pwd"))
                .isInstanceOf(ContainerException.class)
                .hasMessageContaining("enter the working directory: chdir(\"/no/such/dir\"): ENOENT");
        assertThatThrownBy(() -> Container.start(spec))
                .isInstanceOf(ContainerException.class)
                .hasMessageContaining("enter the working directory: chdir(\"/no/such/dir\"): ENOENT");
    }

    @Test
    void aRootfsWithoutTheCommandGivesExit127() throws Exception {
        Path rootfs = Files.createDirectories(dir.resolve("bare"));
        Files.createDirectories(rootfs.resolve("etc"));
        ExecResult r = Container.run(ContainerSpec.builder().rootfs(rootfs).build(), "/bin/sh");
        assertThat(r.exitCode()).isEqualTo(127);
        assertThat(r.stderr()).contains("/bin/sh");
    }
}
