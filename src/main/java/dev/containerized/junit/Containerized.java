package dev.containerized.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives a test a fresh Linux container: new pid, mount, uts, ipc, net and cgroup namespaces, a
 * copy-on-write root filesystem, and a pids and memory cgroup. The test receives it as a
 * {@link dev.containerized.container.Container} parameter and runs commands in it.
 *
 * <pre>{@code
 * @Containerized(hostname = "box", pidsLimit = 20)
 * class IsolationTests {
 *     @Test
 *     void hostname(Container container) {
 *         assertThat(container.exec("hostname")).succeeded().stdout().isEqualTo("box\n");
 *     }
 * }
 * }</pre>
 *
 * On a class it applies to every test; on a method it refines the class's settings (each attribute
 * left at its default takes the class's value). It works as a meta-annotation too. The container is
 * closed after the test (or the class, with {@link Lifecycle#PER_CLASS}) whatever happens; nothing is
 * left on the host.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ContainerizedExtension.class)
public @interface Containerized {
    /** Configuration parameter: {@code fail} (the default) or {@code skip} where the host cannot run containers. */
    String WHEN_UNSUPPORTED_PROPERTY = "containerized.whenUnsupported";
    /** Configuration parameter: the default lifecycle, {@code per_method} (the default) or {@code per_class}. */
    String LIFECYCLE_PROPERTY = "containerized.lifecycle";
    /** Configuration parameter: the default container timeout, such as {@code 5m} or {@code 90s}; none by default. */
    String TIMEOUT_PROPERTY = "containerized.timeout";

    /** The value of a number attribute that means "not set here". */
    long DEFAULT = -1;

    /** A directory holding the root filesystem; empty for the built-in busybox rootfs. */
    String rootfs() default "";

    /** The container's hostname; empty for {@code containerized}. */
    String hostname() default "";

    /** The most tasks the container may have (pids.max); {@link #DEFAULT} for no limit. */
    long pidsLimit() default DEFAULT;

    /** The most memory, without swap, such as {@code "64m"}; empty for no limit. */
    String memoryLimit() default "";

    /** Environment variables of every command, each {@code NAME=VALUE}. */
    String[] env() default {};

    /** Where commands start, inside the container; empty for {@code /}. */
    String workingDirectory() default "";

    /**
     * The system calls commands may make: {@code "default"} (Docker's default profile, also when empty),
     * {@code "unconfined"} (no filter), or the path of a profile file in Docker's JSON format.
     */
    String seccomp() default "";

    /** After this long the container is killed, such as {@code "30s"} or {@code "2m"}; empty for the global setting. */
    String timeout() default "";

    /** One container per test method, or one per test class. */
    Lifecycle lifecycle() default Lifecycle.DEFAULT;

    /** Fail or skip where this host cannot run containers (not root, no cgroups, no overlayfs). */
    WhenUnsupported whenUnsupported() default WhenUnsupported.DEFAULT;

    enum Lifecycle {
        /** {@link Containerized#LIFECYCLE_PROPERTY}, else {@link #PER_METHOD}. */
        DEFAULT,
        /** A fresh container for each test method, shared by its {@code @BeforeEach} and {@code @AfterEach} methods. */
        PER_METHOD,
        /** One container for the test class, also given to {@code @BeforeAll} and {@code @AfterAll} methods. */
        PER_CLASS
    }

    enum WhenUnsupported {
        /** {@link Containerized#WHEN_UNSUPPORTED_PROPERTY}, else {@link #FAIL}. */
        DEFAULT,
        /** The test fails with a message that names what is missing and how to fix it. */
        FAIL,
        /** The test is skipped, with the same message as its reason. */
        SKIP
    }
}
