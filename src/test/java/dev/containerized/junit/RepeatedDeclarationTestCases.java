package dev.containerized.junit;

import dev.containerized.container.Container;

import org.junit.jupiter.api.Test;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Fixtures where one declaration, or two, reach a test more than once: annotations of the user's own
 * that carry {@code @Containerized}, and declarations shared through interfaces and superclasses.
 */
class RepeatedDeclarationTestCases {
    /** An annotation of the user's own: a hostname, a pids limit and a tmpfs. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @Containerized(hostname = "boxed", pidsLimit = 30)
    @Tmpfs(target = "/cache", size = "8m")
    @interface Boxed {
    }

    /** Another: a memory limit. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @Containerized(memoryLimit = "32m")
    @interface Small {
    }

    /** Each carries a @Containerized: taking one would drop the other's limit. */
    @Boxed
    @Small
    static class TwoComposedOnAClass {
        @Test
        void test(Container container) {
        }
    }

    @Boxed
    @Containerized(hostname = "direct")
    static class ComposedAndDirectOnAClass {
        @Test
        void test(Container container) {
        }
    }

    /** Only the method with two fails; its neighbour runs. */
    static class TwoComposedOnAMethod {
        @Test
        @Boxed
        @Small
        void twoOfThem(Container container) {
        }

        @Test
        @Small
        void oneOfThem(Container container) {
        }
    }
}
