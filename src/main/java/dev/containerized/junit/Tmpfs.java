package dev.containerized.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A tmpfs in the test's container, next to {@link Containerized}, as {@code docker run --tmpfs}.
 *
 * <pre>{@code
 * @Containerized(readOnlyRootfs = true)
 * @Tmpfs(target = "/cache", size = "64m")
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(Tmpfs.Tmpfses.class)
public @interface Tmpfs {
    /** The absolute path inside the container. */
    String target();

    /** Its most bytes, such as {@code "64m"}; it counts against the container's memory limit. */
    String size() default "64m";

    /** The container of repeated {@link Tmpfs} annotations. */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Documented
    @Inherited
    @interface Tmpfses {
        Tmpfs[] value();
    }
}
