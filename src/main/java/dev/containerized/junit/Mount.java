package dev.containerized.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A host file or directory bound into the test's container, next to {@link Containerized} on a class
 * or a method (a method's mounts come after its class's). Read-only unless {@code readOnly = false}.
 *
 * <pre>{@code
 * @Containerized
 * @Mount(source = "target/app", target = "/opt/app")
 * class AppIT { ... }
 * }</pre>
 *
 * @see dev.containerized.container.Mount
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(Mount.Mounts.class)
public @interface Mount {
    /** The host path; a relative one is taken from the working directory, which under Maven is the project's. */
    String source();

    /** The absolute path inside the container. */
    String target();

    /** Whether writes from inside are refused (the default) or reach the host. */
    boolean readOnly() default true;

    /** The container of repeated {@link Mount}s. */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Documented
    @Inherited
    @interface Mounts {
        Mount[] value();
    }
}
