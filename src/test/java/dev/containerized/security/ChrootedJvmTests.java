package dev.containerized.security;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerException;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.host.ContainerIds;
import dev.containerized.container.host.StateDirectory;
import dev.containerized.reliability.Debris;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A test JVM in a chroot (a newcomer's build in a debootstrap tree did this): pivot_root leaves the
 * container's root a mount below the host's own root, where a process inside with CAP_SYS_CHROOT could
 * climb out of it to the host's files (EscapeTests' chroot climb reached them). PID 1 makes that climb
 * itself before any command runs, and the container is refused, with the reason and the fix.
 * <p>
 * The chroot is this machine's own root bound again on a directory, in a mount namespace of the child
 * JVM's own (made private first): the host's mounts never change.
 */
class ChrootedJvmTests {
    @TempDir
    Path dir;

    @Test
    void aJvmInAChrootGetsNoContainerIsToldWhyAndLeavesNothing() throws Exception {
        Path root = Files.createDirectory(dir.resolve("root"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String chrootThere = "mount --make-rprivate / && mount --rbind / \"$1\" && exec chroot \"$@\"";
        Process jvm = new ProcessBuilder("unshare", "-m", "sh", "-c", chrootThere, "sh", root.toString(),
                java, "-cp", System.getProperty("java.class.path"), StartOne.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
        assertThat(jvm.exitValue()).as(output).isZero();

        assertThat(output).as(output).doesNotContain("STARTED")
                .contains("REFUSED container setup failed: the container's root is not the top of its mount namespace")
                .contains("this JVM runs in a chroot");
        String token = output.lines().filter(l -> l.startsWith("TOKEN ")).findFirst().orElseThrow().substring(6);
        assertThat(Debris.of(token, StateDirectory.base())).isEmpty();
    }

    /** Prints its id token, then whether a container started in it, or why not. */
    public static final class StartOne {
        public static void main(String[] args) {
            System.out.println("TOKEN " + ContainerIds.thisJvm());
            try (Container c = Container.start(ContainerSpec.builder().build())) {
                System.out.println("STARTED " + c.exec("sh", "-c", "echo inside").stdout().strip());
            } catch (ContainerException e) {
                System.out.println("REFUSED " + e.getMessage());
            }
        }
    }
}
