package dev.containerized.junit;

import dev.containerized.container.Container;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/** Fixture: mounts, a read-only root, a user and an exec timeout from annotations. Run by ContainerizedExtensionTests. */
@Containerized(readOnlyRootfs = true, user = "nobody", execTimeout = "500ms")
@Mount(source = MountTestCases.SHARED, target = "/shared", readOnly = false)
@Tmpfs(target = "/scratch", size = "4m")
class MountTestCases {
    static final String SHARED = "target/mount-test-cases";

    @Test
    @Mount(source = "pom.xml", target = "/project/pom.xml")
    void classAndMethodMountsApply(Container container) throws Exception {
        assertThat(container.exec("sh", "-c", "echo from-inside > /shared/out && head -c 8 /project/pom.xml && id -u"))
                .succeeded().stdout().isEqualTo("<?xml ve65534\n");
        assertThat(Files.readString(Path.of(SHARED, "out"))).isEqualTo("from-inside\n");
        assertThat(container.exec("sh", "-c", "echo x > /scratch/y && cat /scratch/y")).succeeded().stdout().isEqualTo("x\n");
        assertThat(container.exec("touch", "/home/x")).stderr().contains("Read-only file system");
    }

    @Test
    void theExecTimeoutApplies(Container container) {
        assertThat(container.exec("sleep", "30")).timedOut();
    }
}
