package dev.containerized.junit;

import dev.containerized.container.Container;

import org.junit.jupiter.api.Test;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;

/** Fixtures whose tests fail or time out: the container must still be torn down. */
class FailingTestCases {
    static class AssertionFails {
        @Test
        @Containerized(hostname = "failing-box", pidsLimit = 10)
        void test(Container container) {
            assertThat(container.exec("sh", "-c", "echo some output; exit 4")).succeeded();
        }
    }

    static class ContainerTimesOut {
        @Test
        @Containerized(timeout = "1s")
        void test(Container container) {
            container.exec("sleep", "30");
        }
    }

    /** The extension used as a meta-annotation. */
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @Containerized(hostname = "meta-box", whenUnsupported = Containerized.WhenUnsupported.SKIP)
    @interface MetaContainer {
    }

    static class ViaMetaAnnotation {
        @Test
        @MetaContainer
        void test(Container container) {
            org.assertj.core.api.Assertions.assertThat(container.hostname()).isEqualTo("meta-box");
        }
    }
}
