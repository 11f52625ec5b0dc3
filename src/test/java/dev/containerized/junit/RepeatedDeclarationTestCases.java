package dev.containerized.junit;

import dev.containerized.container.Container;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;

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

    /** A contract that JUnit's test interfaces let classes share: a server, and a test that it started once. */
    @Containerized
    @Server(command = {"sh", "-c", "echo started >> /tmp/starts; exec sleep 60"}, waitForCommand = {"test", "-s", "/tmp/starts"})
    interface RunsAServer {
        @Test
        default void serverStartedOnce(Container container) {
            assertThat(container.exec("wc", "-l", "/tmp/starts")).succeeded().stdout().isEqualTo("1 /tmp/starts\n");
        }
    }

    /** The nested class's test reaches the interface's @Server through both classes. */
    static class ServerContract implements RunsAServer {
        @Nested
        class AlsoAContract implements RunsAServer {
        }
    }

    /** The same under PER_CLASS: the nested class shares the outer class's container, whose server started once. */
    @Containerized(lifecycle = Containerized.Lifecycle.PER_CLASS)
    @Server(command = {"sh", "-c", "echo started >> /tmp/starts; exec sleep 60"}, waitForCommand = {"test", "-s", "/tmp/starts"})
    interface SharesAServer {
        List<String> IDS = new CopyOnWriteArrayList<>();

        @Test
        default void serverStartedOnce(Container container) {
            IDS.add(container.id());
            assertThat(container.exec("wc", "-l", "/tmp/starts")).succeeded().stdout().isEqualTo("1 /tmp/starts\n");
        }
    }

    static class SharedServerContract implements SharesAServer {
        @Nested
        class AlsoAContract implements SharesAServer {
        }
    }

    @Containerized
    @Mount(source = "pom.xml", target = "/project/pom.xml")
    interface MountsTheProject {
        @Test
        default void projectIsMounted(Container container) {
            assertThat(container.exec("grep", "-c", "<artifactId>containerized</artifactId>", "/project/pom.xml")).succeeded();
        }
    }

    /** The nested class's test reaches the interface's @Mount through both classes: one mount, not two on one target. */
    static class MountContract implements MountsTheProject {
        @Nested
        class AlsoAContract implements MountsTheProject {
        }
    }

    /** @Boxed's @Tmpfs reaches the method through the class and through the method: one tmpfs. */
    @Boxed
    static class ComposedOnClassAndMethod {
        @Test
        @Boxed
        void test(Container container) {
            assertThat(container.exec("sh", "-c", "grep -c ' /cache tmpfs ' /proc/mounts")).succeeded().stdout().isEqualTo("1\n");
        }
    }

    @Containerized
    @Mount(source = "pom.xml", target = "/project/pom.xml")
    abstract static class MountingBase {
        @Test
        void test(Container container) {
        }
    }

    /** Its own mount on its base's target: two declarations on one target, in two classes. */
    @Mount(source = "README.md", target = "/project/pom.xml")
    static class RemountingSubclass extends MountingBase {
    }
}
