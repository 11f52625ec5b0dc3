package dev.containerized.junit;

import dev.containerized.container.BackgroundProcess;
import dev.containerized.container.Container;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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

    /** Tests that pass but leave their thread interrupted, as code that caught an InterruptedException should. */
    @Containerized
    static class LeavesItsInterruptFlagSet {
        @Test
        void perMethod(Container container) {
            assertThat(container.exec("true")).succeeded();
            Thread.currentThread().interrupt();
        }

        @Nested
        @Containerized(lifecycle = Containerized.Lifecycle.PER_CLASS)
        class PerClass {
            @Test
            void test(Container container) {
                assertThat(container.exec("true")).succeeded();
            }

            @org.junit.jupiter.api.AfterAll
            static void interrupt() {
                Thread.currentThread().interrupt();
            }
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

    /** JUnit's own @Timeout interrupts the test thread while exec waits. */
    static class TimeoutAroundExec {
        @Test
        @Timeout(1)
        @Containerized
        void test(Container container) {
            container.exec("sleep", "30");
        }
    }

    /** The same on a thread of JUnit's: the container is closed while the command still runs there. */
    static class TimeoutOnASeparateThread {
        @Test
        @Timeout(value = 1, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
        @Containerized
        void test(Container container) {
            container.exec("sleep", "30");
        }
    }

    /** A server started in the background, a test that fails: its output is what explains the failure. */
    static class BackgroundCommandThenFailure {
        @Test
        @Containerized(hostname = "server-box")
        void test(Container container) throws InterruptedException {
            BackgroundProcess server = container.execInBackground("sh", "-c",
                    "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25; do echo line $i; done; "
                            + "echo listening on 8080; echo warming up >&2; sleep 30");
            container.execInBackground("sh", "-c", "echo done; exit 3").await();
            container.exec("echo", "a foreground command that ended");
            while (!server.stdoutSoFar().contains("listening")) {
                Thread.sleep(10);
            }
            org.junit.jupiter.api.Assertions.fail("the server did not answer");
        }
    }

    /** A dynamic test that fails: JUnit hands it to no TestExecutionExceptionHandler. */
    static class DynamicTestFails {
        @org.junit.jupiter.api.TestFactory
        @Containerized(hostname = "factory-box")
        java.util.stream.Stream<org.junit.jupiter.api.DynamicTest> factory(Container container) {
            container.execInBackground("sh", "-c", "echo bg-factory; sleep 30");
            return java.util.stream.Stream.of(org.junit.jupiter.api.DynamicTest.dynamicTest("dynamic", () -> {
                while (container.commands().get(0).stdoutSoFar().isEmpty()) {
                    Thread.sleep(10);
                }
                org.junit.jupiter.api.Assertions.fail("the dynamic test failed");
            }));
        }
    }

    /** The class's container, kept in a field by @BeforeAll: a test that fails without a parameter still shows it. */
    @Containerized(hostname = "class-box", lifecycle = Containerized.Lifecycle.PER_CLASS)
    static class ClassContainerFromAField {
        static Container shared;

        @BeforeAll
        static void start(Container container) throws InterruptedException {
            shared = container;
            BackgroundProcess command = container.execInBackground("sh", "-c", "echo started by beforeAll; sleep 30");
            while (command.stdoutSoFar().isEmpty()) {
                Thread.sleep(10);
            }
        }

        @Test
        void test() {
            org.junit.jupiter.api.Assertions.fail("failed without asking for the container");
        }
    }

    /** A failed assumption skips the test: no diagnostics for it. */
    static class AssumptionFails {
        @Test
        @Containerized
        void test(Container container) {
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "not today");
        }
    }
}
