package dev.containerized.junit;

import dev.containerized.container.Container;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;

/**
 * Fixtures for the sharing rule: a test gets a container built from exactly the settings that apply to
 * it, and shares one only when its lifecycle is PER_CLASS and the settings are the same. Each test
 * records the id of the container it got under its own name in {@link #ids}.
 */
class SharingTestCases {
    static final Map<String, String> ids = new ConcurrentHashMap<>();

    static void record(String name, Container container) {
        ids.put(name, container.id());
    }

    /** The reproduction: a method asking for PER_CLASS must not hand its container to the next test. */
    @Containerized(hostname = "fresh")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class MethodAsksForPerClass {
        @Test
        @Order(1)
        @Containerized(hostname = "shared", lifecycle = Containerized.Lifecycle.PER_CLASS)
        void dirties(Container container) {
            assertThat(container.exec("sh", "-c", "echo dirty > /root/state")).succeeded();
            record("dirties", container);
        }

        @Test
        @Order(2)
        void expectsFresh(Container container) {
            assertThat(container).hasHostname("fresh");
            assertThat(container.exec("cat", "/root/state")).exitedWith(1);
            record("expectsFresh", container);
        }

        @Test
        @Order(3)
        @Containerized(hostname = "shared", lifecycle = Containerized.Lifecycle.PER_CLASS)
        void sharesWithTheSameSettings(Container container) {
            assertThat(container.exec("cat", "/root/state")).succeeded().stdout().isEqualTo("dirty\n");
            record("sharesWithTheSameSettings", container);
        }
    }

    /** Under a PER_CLASS class, a method that refines the settings gets a container of its own. */
    @Containerized(hostname = "class", lifecycle = Containerized.Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class MethodRefinesAPerClassClass {
        @BeforeAll
        static void before(Container container) {
            record("beforeAll", container);
        }

        @Test
        @Order(1)
        void usesTheClassContainer(Container container) {
            record("plain", container);
        }

        @Test
        @Order(2)
        @Containerized(pidsLimit = 5)
        void getsItsPidsLimit(Container container) {
            org.assertj.core.api.Assertions.assertThat(container.spec().pidsLimit()).hasValue(5);
            assertThat(container).hasHostname("class");
            record("pidsLimit", container);
        }

        @Test
        @Order(3)
        @Containerized(lifecycle = Containerized.Lifecycle.PER_METHOD)
        void asksForItsOwn(Container container) {
            assertThat(container.exec("cat", "/root/state")).exitedWith(1);
            record("perMethod", container);
        }

        @Test
        @Order(4)
        void stillTheClassContainer(Container container) {
            record("plainAgain", container);
        }

        @ParameterizedTest
        @Order(5)
        @ValueSource(ints = {1, 2})
        void everyInvocationSharesIt(int n, Container container) {
            record("parameterized" + n, container);
        }
    }

    /**
     * A PER_CLASS outer class whose own tests never ask for a container: its plain nested classes share
     * one, whichever runs first; a nested class with settings of its own gets its own.
     */
    @Containerized(hostname = "outer", lifecycle = Containerized.Lifecycle.PER_CLASS)
    static class Outer {
        @Test
        void noContainerHere() {
        }

        @Nested
        class FirstPlain {
            @Test
            void test(Container container, TestInfo info) {
                assertThat(container).hasHostname("outer");
                record("firstPlain", container);
            }
        }

        @Nested
        class SecondPlain {
            @Test
            void test(Container container) {
                assertThat(container).hasHostname("outer");
                record("secondPlain", container);
            }

            @Nested
            class Deeper {
                @Test
                void test(Container container) {
                    record("deeper", container);
                }
            }
        }

        @Nested
        @Containerized(hostname = "inner")
        class WithSettingsOfItsOwn {
            @BeforeAll
            static void before(Container container) {
                record("innerBeforeAll", container);
            }

            @Test
            void test(Container container) {
                assertThat(container).hasHostname("inner");
                record("inner", container);
            }
        }
    }
    /**
     * Two nested classes that each ask for PER_CLASS, in an outer class that gives each of its tests a
     * container of its own (the default): each nested class gets its own, closed when it ends.
     */
    @Containerized(hostname = "app")
    @TestClassOrder(ClassOrderer.OrderAnnotation.class)
    static class SiblingsAskForPerClass {
        static Container first;

        @Nested
        @Order(1)
        @Containerized(lifecycle = Containerized.Lifecycle.PER_CLASS)
        class First {
            @Test
            void writes(Container container) {
                first = container;
                record("first", container);
                assertThat(container.exec("sh", "-c", "echo from-first > /root/state")).succeeded();
            }
        }

        @Nested
        @Order(2)
        @Containerized(lifecycle = Containerized.Lifecycle.PER_CLASS)
        class Second {
            @Test
            void startsClean(Container container) {
                record("second", container);
                assertThat(container.exec("cat", "/root/state")).exitedWith(1);
                org.assertj.core.api.Assertions.assertThat(first.isRunning()).as("First's container, closed when First ended").isFalse();
            }
        }
    }

    /**
     * PER_CLASS with a server of the class; a method and a nested class declare one more each. Each test
     * records which servers its container runs.
     */
    @Containerized(lifecycle = Containerized.Lifecycle.PER_CLASS)
    @Server(command = {"sh", "-c", "echo class > /tmp/class.server; exec sleep 60"}, waitForCommand = {"test", "-s", "/tmp/class.server"})
    static class PerClassWithServersOfMethodsAndNestedClasses {
        static String servers(Container container) {
            return container.exec("sh", "-c", "cat /tmp/*.server | sort | tr '\\n' ' '").stdout().strip();
        }

        @Test
        void plain(Container container) {
            record("plain", container);
            ids.put("plainServers", servers(container));
        }

        @Test
        @Server(command = {"sh", "-c", "echo method > /tmp/method.server; exec sleep 60"}, waitForCommand = {"test", "-s", "/tmp/method.server"})
        void withItsOwnServer(Container container) {
            record("method", container);
            ids.put("methodServers", servers(container));
        }

        @Nested
        @Server(command = {"sh", "-c", "echo nested > /tmp/nested.server; exec sleep 60"}, waitForCommand = {"test", "-s", "/tmp/nested.server"})
        class WithItsOwnServer {
            @Test
            void nested(Container container) {
                record("nested", container);
                ids.put("nestedServers", servers(container));
            }
        }
    }

    /** A class run once per argument: its PER_CLASS container is the class's, as its @BeforeAll is. */
    @org.junit.jupiter.params.ParameterizedClass
    @ValueSource(strings = {"x", "y"})
    @Containerized(lifecycle = Containerized.Lifecycle.PER_CLASS)
    static class ParameterizedClassPerClass {
        @org.junit.jupiter.params.Parameter
        String argument;

        @BeforeAll
        static void beforeAll(Container container) {
            record("classBeforeAll", container);
        }

        @Test
        void test(Container container) {
            record("class-" + argument, container);
        }
    }

    @org.junit.jupiter.params.ParameterizedClass
    @ValueSource(strings = {"x", "y"})
    @Containerized
    static class ParameterizedClassPerMethod {
        @org.junit.jupiter.params.Parameter
        String argument;

        @Test
        void test(Container container) {
            assertThat(container.exec("sh", "-c", "test ! -e /root/mark && touch /root/mark")).succeeded();
            record("method-" + argument, container);
        }
    }
}
