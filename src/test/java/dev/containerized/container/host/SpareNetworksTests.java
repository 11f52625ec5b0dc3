package dev.containerized.container.host;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.Leaks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The network namespace a container's thread joins, made ahead while the container before it was used. */
class SpareNetworksTests {
    private static final ContainerSpec SPEC = ContainerSpec.builder().build();

    /** A JVM's first container asks for no spare (the early preparation's, in a JUnit run, but not always). */
    @BeforeAll
    static void notTheFirstContainer() {
        try (Container first = Container.start(SPEC)) {
            first.exec("true");
        }
    }

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void aStartJoinsTheSpareFreshWithItsLoopbackUpAndNothingOfTheContainerBefore() throws Exception {
        String before;
        try (Container first = Container.start(SPEC)) {
            // A listener in the container before: the next one must not see it.
            first.execInBackground(dev.containerized.container.Exec.of("httpd", "-f", "-p", "7001", "-h", "/etc"));
            before = first.exec("readlink", "/proc/self/ns/net").stdout().strip();
            assertThat(first.exec("sh", "-c", "for i in $(seq 50); do grep -q :1B59 /proc/net/tcp /proc/net/tcp6 && exit 0; sleep 0.1; done; exit 1")
                    .exitCode()).as("nc listens on 7001").isZero();
        }
        String spare = awaitSpare();

        try (Container next = Container.start(SPEC)) {
            assertThat(next.exec("readlink", "/proc/self/ns/net").stdout().strip())
                    .isEqualTo(spare).isNotEqualTo(before).isNotEqualTo(hostNamespace());
            assertThat(next.exec("cat", "/sys/class/net/lo/flags").stdout().strip()).isEqualTo("0x9"); // UP | LOOPBACK
            assertThat(next.exec("ping", "-c", "1", "-W", "1", "127.0.0.1").exitCode()).isZero();
            assertThat(next.exec("cat", "/proc/net/tcp", "/proc/net/tcp6").stdout()).doesNotContain(":1B59 ");
            assertThat(next.exec("ls", "/sys/class/net").stdout().split("\\s+")).containsExactly("lo");
        }
    }

    @Test
    void theThreadThatMakesThemIsBackInTheHostsNamespaceAfterEach() throws Exception {
        try (Container c = Container.start(SPEC)) {
            c.exec("true");
        }
        awaitSpare();
        Path maker = makerThread().orElseThrow(() -> new AssertionError("no spare-network thread in /proc/self/task"));
        assertThat(Files.readSymbolicLink(maker.resolve("ns/net")).toString()).isEqualTo(hostNamespace());
    }

    private static String awaitSpare() throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            Optional<String> ready = SpareNetworks.readyOne();
            if (ready.isPresent()) {
                return ready.get();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no spare network namespace made within 2 s of a container's start");
    }

    private static String hostNamespace() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    }

    /** The maker's /proc/self/task entry: its name, cut to 15 bytes by the kernel, is "containerized-s". */
    private static Optional<Path> makerThread() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.filter(t -> {
                try {
                    return Files.readString(t.resolve("comm")).strip().equals("containerized-s");
                } catch (IOException gone) {
                    return false;
                }
            }).findFirst();
        }
    }
}
