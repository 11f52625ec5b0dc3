package dev.containerized.container.host;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.Mount;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Directories the runtime makes for a container (the upper layer, which is the root's own mode, the
 * missing parents of a mount target, an image's WorkingDir) are 0755 whatever the test JVM's umask:
 * made under umask 077, they shut every non-root user of the container out ("/" itself was 0700).
 */
class UmaskTests {
    @Test
    void directoriesMadeInsideAreOpenToEveryUserUnderAStrictUmask() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process jvm = new ProcessBuilder("sh", "-c", "umask 077; exec \"$0\" -cp \"$1\" \"$2\"",
                java, System.getProperty("java.class.path"), StrictUmask.class.getName()).redirectErrorStream(true).start();
        String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(output).as("run under umask 077").endsWith("drwxr-xr-x /made/by/runtime\nok\n");
    }

    /** Run in a JVM of its own under umask 077. */
    public static final class StrictUmask {
        public static void main(String[] args) {
            ContainerSpec spec = ContainerSpec.builder().mount(Mount.tmpfs("/made/by/runtime/data", "1m")).build();
            try (Container c = Container.start(spec)) {
                System.out.print(c.exec("sh", "-c", "stat -c '%A %n' /made/by/runtime").stdout());
                dev.containerized.container.ExecResult ls = c.exec(dev.containerized.container.Exec.of("ls", "/made/by/runtime/data")
                        .user("nobody"));
                System.out.println(ls.succeeded() ? "ok" : "nobody cannot reach the mount: " + ls.describe());
            }
        }
    }
}
