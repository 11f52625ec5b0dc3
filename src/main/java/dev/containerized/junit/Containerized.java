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
 * On a class it applies to every test; on a method it refines the class's settings, and on a
 * {@code @Nested} class its enclosing class's. An attribute left at its default (empty, or
 * {@link #DEFAULT}) is not set there: it takes the value of the class (or enclosing class) that sets it,
 * and what each attribute's documentation says "empty" or {@code DEFAULT} gives applies only where none
 * does. No value means "no limit" over a class's limit: a method or nested class cannot lift the
 * {@link #pidsLimit}, {@link #memoryLimit}, {@link #cpus}, {@link #cpuset} or {@link #readOnlyRootfs}
 * that its class sets; give the tests that need none a class of their own. It works as a meta-annotation too, one per element: two
 * that reach one class or method with different settings (say two annotations of your own that each
 * carry one) are refused rather than one silently dropped; merge them into one. The container is
 * closed after the test (or the class, with {@link Lifecycle#PER_CLASS}) whatever happens; nothing is
 * left on the host. A {@link dev.containerized.container.ContainerSpec} parameter gets the settings
 * themselves, to run a command as PID 1 with {@code Container.run(spec, ...)}.
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
    /** Configuration parameter: the default exec timeout of every command, such as {@code 30s}; 2 minutes by default. */
    String EXEC_TIMEOUT_PROPERTY = "containerized.execTimeout";
    /** Configuration parameter: the default {@link #rootfs()}, a directory; a relative one is taken from the working directory. */
    String ROOTFS_PROPERTY = "containerized.rootfs";
    /** Configuration parameter: the default image, as {@link #image()} takes it, for tests that name no root filesystem. */
    String IMAGE_PROPERTY = "containerized.image";

    /**
     * The value of a number attribute that means "not set here": the class's (or enclosing class's) value
     * applies, and no limit only where none sets one. It does not lift a class's limit.
     */
    long DEFAULT = -1;

    /** A directory holding the root filesystem; empty for {@link #ROOTFS_PROPERTY}, else the built-in busybox rootfs. */
    String rootfs() default "";

    /**
     * An image as the root filesystem, offline: {@code "oci:DIR[:TAG]"} or {@code "docker-archive:FILE"}
     * (relative paths from the project directory); its Env, WorkingDir and User are the defaults.
     */
    String image() default "";

    /** The container's hostname; empty for the class's, else {@code containerized}. */
    String hostname() default "";

    /**
     * The most tasks the container may have (pids.max); {@link #DEFAULT} for the class's limit, and no
     * limit where no class sets one (a method cannot lift its class's).
     */
    long pidsLimit() default DEFAULT;

    /**
     * The most memory, without swap, such as {@code "64m"}; empty for the class's limit, and no limit
     * where no class sets one (a method cannot lift its class's). Files the container writes to /tmp,
     * /run, /dev/shm and (by default) its root filesystem count too: those are tmpfs.
     */
    String memoryLimit() default "";

    /**
     * The most CPU time per wall-clock time, in CPUs, such as {@code "0.5"} or {@code "2"} (docker run
     * --cpus); empty for the class's limit, and no limit where no class sets one.
     */
    String cpus() default "";

    /**
     * The CPUs the container may run on, such as {@code "0"} or {@code "0-1"} (docker run --cpuset-cpus);
     * empty for the class's, and any where no class sets them.
     */
    String cpuset() default "";

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

    /** After this long a command that {@code exec} runs is killed, such as {@code "30s"}; empty for the global setting. */
    String execTimeout() default "";

    /** Who runs commands: a name or uid, optionally {@code :group}, as {@code docker run --user}; empty for root. */
    String user() default "";

    /**
     * Whether the root filesystem refuses writes, as {@code docker run --read-only}; /tmp, /run, /dev/shm
     * and {@link Tmpfs} mounts still take them. Set on a class, it holds for its methods and nested
     * classes too: {@code false} there does not lift it.
     */
    boolean readOnlyRootfs() default false;

    /** One container per test method, or one per test class. */
    Lifecycle lifecycle() default Lifecycle.DEFAULT;

    /** Fail or skip where this host cannot run containers (not root, no cgroups, no overlayfs). */
    WhenUnsupported whenUnsupported() default WhenUnsupported.DEFAULT;

    enum Lifecycle {
        /** {@link Containerized#LIFECYCLE_PROPERTY}, else {@link #PER_METHOD}. */
        DEFAULT,
        /** A fresh container for each test method, shared by its {@code @BeforeEach} and {@code @AfterEach} methods. */
        PER_METHOD,
        /**
         * One container for the test class, also given to {@code @BeforeAll} and {@code @AfterAll} methods,
         * and shared by its tests whose settings are the same: a method that refines the settings gets a
         * container of those settings, and so does a {@code @Nested} class with settings of its own; a
         * plain {@code @Nested} class shares its outer class's.
         */
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
