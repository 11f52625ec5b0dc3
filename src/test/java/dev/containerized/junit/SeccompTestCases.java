package dev.containerized.junit;

import dev.containerized.container.Container;

import org.junit.jupiter.api.Test;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;

/** Fixtures for {@code @Containerized(seccomp = ...)}. */
class SeccompTestCases {
    /** The profile file, relative to the project directory the tests run in. */
    static final String PROFILE = "src/test/resources/dev/containerized/junit/refuse-mkdir.json";

    @Containerized(seccomp = "unconfined")
    static class UnconfinedClass {
        @Test
        void noFilter(Container container) {
            assertThat(container.exec("grep", "^Seccomp:", "/proc/self/status")).succeeded().stdout().isEqualTo("Seccomp:\t0\n");
        }

        @Test
        @Containerized(seccomp = "default")
        void aMethodTurnsDockersProfileBackOn(Container container) {
            assertThat(container.exec("grep", "^Seccomp:", "/proc/self/status")).succeeded().stdout().isEqualTo("Seccomp:\t2\n");
            assertThat(container.exec("unshare", "-U", "-r", "true")).exitedWith(1).stderr().contains("Operation not permitted");
        }

        @Test
        @Containerized(seccomp = PROFILE)
        void aMethodNamesAProfileFile(Container container) {
            assertThat(container.exec("mkdir", "/made")).exitedWith(1).stderr().contains("Permission denied");
            assertThat(container.exec("touch", "/made")).succeeded();
        }
    }

    static class MissingProfile {
        @Test
        @Containerized(seccomp = "no/such/profile.json")
        void test(Container container) {
        }
    }
}
