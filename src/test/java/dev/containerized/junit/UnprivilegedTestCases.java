package dev.containerized.junit;

import dev.containerized.container.Container;

import org.junit.jupiter.api.Test;

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
}
