package dev.containerized.junit;

import dev.containerized.container.Container;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;

/**
 * Fixtures for {@code @Nested} classes declared in an abstract base and run inside each concrete
 * subclass: the concrete class's settings apply to them. Each test records the hostname and whether
 * /scratch is a tmpfs in {@link #seen}, under its own name.
 */
class InheritedNestedTestCases {
    static final Map<String, String> seen = new ConcurrentHashMap<>();

    static void record(String name, Container container) {
        seen.put(name, container.hostname() + " " + container.exec("sh", "-c", "grep -c ' /scratch tmpfs ' /proc/mounts").stdout().strip());
    }

    abstract static class UnannotatedBase {
        @Nested
        class Inner {
            @Test
            void nested(Container container) {
                record("nested", container);
            }
        }
    }

    @Containerized(hostname = "concrete")
    @Tmpfs(target = "/scratch")
    static class Concrete extends UnannotatedBase {
        @Test
        void outer(Container container) {
            record("outer", container);
        }
    }

    @Containerized(hostname = "base")
    abstract static class AnnotatedBase {
        @Nested
        class Inner {
            @Test
            void nested(Container container) {
                assertThat(container.exec("true")).succeeded();
                record("nestedUnderOverride", container);
            }
        }
    }

    @Containerized(hostname = "override")
    static class ConcreteOverrides extends AnnotatedBase {
    }
}
