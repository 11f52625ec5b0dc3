package dev.containerized.junit;

import dev.containerized.container.Container;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Fixtures that use the extension wrongly, one misuse per test. */
class MisuseTestCases {
    static class ZeroPidsLimit {
        @Test
        @Containerized(pidsLimit = 0)
        void test(Container container) {
        }
    }

    static class UnparsableMemory {
        @Test
        @Containerized(memoryLimit = "lots")
        void test(Container container) {
        }
    }

    static class UnknownRootfs {
        @Test
        @Containerized(rootfs = "/no/such/rootfs")
        void test(Container container) {
        }
    }

    static class BadTimeout {
        @Test
        @Containerized(timeout = "soon")
        void test(Container container) {
        }
    }

    /** The extension registered by hand, without the annotation. */
    @ExtendWith(ContainerizedExtension.class)
    static class ContainerWithoutAnnotation {
        @Test
        void test(Container container) {
        }
    }

    @Containerized
    static class BeforeAllWithPerMethodContainer {
        @BeforeAll
        static void before(Container container) {
        }

        @Test
        void test() {
        }
    }

    static class Outer {
        @Containerized(hostname = "outer")
        @Nested
        class Inner {
            @Test
            void test(Container container) {
                org.assertj.core.api.Assertions.assertThat(container.hostname()).isEqualTo("outer");
            }
        }
    }
}
