package dev.containerized.junit;

import dev.containerized.container.Container;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.ExtendWith;

/** Fixtures that use the extension wrongly, one misuse per test. */
class MisuseTestCases {
    /** The class is fine; the method's @Mount names a source that is not there. */
    @Containerized
    static class MethodMountWithAMissingSource {
        @Test
        @Mount(source = "/no/such/source", target = "/x")
        void test(Container container) {
        }
    }

    /** The class and the method mount on one target. */
    @Containerized
    @Mount(source = "pom.xml", target = "/cfg/app.xml")
    static class SameMountTargetOnClassAndMethod {
        @Test
        @Tmpfs(target = "/cfg/app.xml")
        void test(Container container) {
        }
    }

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

    @Containerized(hostname = "from-constructor")
    static class ConstructorWithPerMethodContainer {
        static final java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Container container;

        ConstructorWithPerMethodContainer(Container container) {
            this.container = container;
        }

        @Test
        void test(Container same) {
            seen.add(container.hostname() + " " + (container == same));
        }
    }

    /** One instance serves every test: JUnit never resolves its constructor in a test's context, whatever the parameter says. */
    @Containerized
    @org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
    static class ConstructorWithPerMethodContainerUnderPerClassInstances {
        ConstructorWithPerMethodContainerUnderPerClassInstances(Container container) {
        }

        @Test
        void test() {
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

    // A bad @Containerized next to a condition that disables: the same outcome in either order.

    @Containerized(pidsLimit = 0)
    @DisabledOnOs(OS.LINUX)
    static class BadClassBeforeADisablingCondition {
        @Test
        void test() {
        }
    }

    @DisabledOnOs(OS.LINUX)
    @Containerized(pidsLimit = 0)
    static class BadClassAfterADisablingCondition {
        @Test
        void test() {
        }
    }

    static class BadMethodBeforeADisablingCondition {
        @Test
        @Containerized(rootfs = "/no/such/rootfs")
        @DisabledOnOs(OS.LINUX)
        void test(Container container) {
        }
    }

    static class BadMethodAfterADisablingCondition {
        @Test
        @DisabledOnOs(OS.LINUX)
        @Containerized(rootfs = "/no/such/rootfs")
        void test(Container container) {
        }
    }

    /** The class is enabled, its only test is not: the class's bad settings still fail the class, in either order. */
    @Containerized(pidsLimit = 0)
    @EnabledOnOs(OS.LINUX)
    static class BadClassBeforeAnEnablingCondition {
        @Test
        @DisabledOnOs(OS.LINUX)
        void test() {
        }
    }

    @EnabledOnOs(OS.LINUX)
    @Containerized(pidsLimit = 0)
    static class BadClassAfterAnEnablingCondition {
        @Test
        @DisabledOnOs(OS.LINUX)
        void test() {
        }
    }

    /** No @Containerized anywhere: JUnit never calls the extension; its own message names no fix. */
    static class ContainerParameterWithoutAnyAnnotation {
        @Test
        void test(Container container) {
        }

        @org.junit.jupiter.params.ParameterizedTest
        @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2})
        void parameterized(int n, Container container) {
        }
    }

    static class SpecParameterInBeforeEachWithoutAnyAnnotation {
        @org.junit.jupiter.api.BeforeEach
        void before(dev.containerized.container.ContainerSpec spec) {
        }

        @Test
        void test() {
        }
    }

    /** A @BeforeEach asks for a container and is annotated itself: JUnit takes no extension from it. */
    static class ContainerInAnAnnotatedBeforeEachOnly {
        @org.junit.jupiter.api.BeforeEach
        @Containerized
        void setUp(Container container) {
        }

        @Test
        void test() {
        }
    }

    /** What the hint for ContainerInAnAnnotatedBeforeEachOnly says to do: annotate each test method. */
    static class ContainerInBeforeEachWithEachTestAnnotated {
        private Container fromSetUp;

        @org.junit.jupiter.api.BeforeEach
        void setUp(Container container) {
            fromSetUp = container;
        }

        @Test
        @Containerized(hostname = "first")
        void first(Container container) {
            org.assertj.core.api.Assertions.assertThat(fromSetUp).isSameAs(container);
            org.assertj.core.api.Assertions.assertThat(container.hostname()).isEqualTo("first");
        }

        @Test
        @Containerized(hostname = "second")
        void second(Container container) {
            org.assertj.core.api.Assertions.assertThat(fromSetUp).isSameAs(container);
            org.assertj.core.api.Assertions.assertThat(container.hostname()).isEqualTo("second");
        }
    }

    static class ContainerInBeforeAllWithoutAnyAnnotation {
        @BeforeAll
        static void before(Container container) {
        }

        @Test
        void test() {
        }
    }

    /** A bad method annotation on a test that asks for no container still fails it, as configuration. */
    static class BadMethodWithoutAContainer {
        @Test
        @Containerized(memoryLimit = "lots")
        void test() {
        }
    }
}
