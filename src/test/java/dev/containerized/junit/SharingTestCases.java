package dev.containerized.junit;

import dev.containerized.container.Container;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
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
}
