package dev.containerized.container.host;

import dev.containerized.container.ContainerException;
import dev.containerized.internal.linux.Architecture;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.Memfd;

import java.io.IOException;
import java.io.InputStream;

/**
 * The container's PID 1, a static program built from {@code src/main/c/init} and carried in the jar,
 * copied once per JVM into a sealed memfd and executed from there. Nothing on the host's disk runs as
 * PID 1, and a process in a container that gets hold of the running init's file (CVE-2019-5736) gets
 * a sealed anonymous copy it can neither write nor (Linux 6.3+) chmod.
 */
final class InitBinary {
    static final String NAME = "containerized-init";
    private static Fd memfd;

    private InitBinary() {
    }

    /** The sealed memfd; made on first use and kept open for the life of the JVM. */
    static synchronized Fd memfd() {
        if (memfd == null) {
            memfd = Memfd.sealedExecutable(NAME, load());
        }
        return memfd;
    }

    private static byte[] load() {
        String resource = "/dev/containerized/native/" + Architecture.current().machine() + "/" + NAME;
        try (InputStream in = InitBinary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ContainerException("the container init for " + Architecture.current().machine() + " (" + resource
                        + ") is missing from Containerized's jar: the build makes it with src/main/c/build-init.sh, "
                        + "which needs a C compiler for each architecture (see the README)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ContainerException("cannot read the container init " + resource + " from the classpath: " + e, e);
        }
    }
}
