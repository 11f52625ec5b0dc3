package dev.containerized.junit;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerSpec;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Fixtures run by a non-root JVM in HostSupportTests: one skips on an unsupported host, one fails. */
class UnprivilegedTestCases {
    @Containerized(whenUnsupported = Containerized.WhenUnsupported.SKIP)
    static class Skips {
        @Test
        void test(Container container) {
        }
    }

    @Containerized(whenUnsupported = Containerized.WhenUnsupported.SKIP)
    static class AlsoSkips {
        @Test
        void test(Container container) {
        }
    }

    @Containerized
    static class Fails {
        @Test
        void test(Container container) {
        }
    }

    /** The Java API without JUnit, in a home this user cannot write: told it needs root, nothing built first. */
    static class JavaApi {
        @Test
        void startAndRunSayTheyNeedRoot() {
            ContainerSpec spec = ContainerSpec.builder().build();
            assertThatThrownBy(() -> Container.start(spec)).hasMessageContaining("Containerized needs root (CAP_SYS_ADMIN)");
            assertThatThrownBy(() -> Container.run(spec, "true")).hasMessageContaining("Containerized needs root (CAP_SYS_ADMIN)");
            assertThat(Files.exists(Path.of(System.getProperty("user.home"), ".cache", "containerized"))).isFalse();
        }
    }
}
