package dev.containerized.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A server the test's container runs, started in the background as soon as the container is made and
 * ready (its waits passed) before the test, or its {@code @BeforeEach} methods, get the container.
 * Next to {@link Containerized}, on the test class (every container of the class gets it, one per
 * method or one per class as the lifecycle says) or on a test method (that method's container).
 * Repeatable: servers start in order, enclosing classes' first, each ready before the next starts.
 *
 * <pre>{@code
 * @Containerized
 * @Server(command = {"httpd", "-f", "-p", "8080", "-h", "/etc"}, waitForPort = 8080, within = "10s")
 * class HttpTests {
 *     @Test
 *     void servesAFile(Container container) throws Exception {
 *         URI uri = URI.create("http://127.0.0.1:" + container.hostPort(8080) + "/hostname");
 *         ...
 *     }
 * }
 * }</pre>
 *
 * A server that is not ready in time fails the test with what it waited for and the server's last
 * lines of output; the container is closed.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(Servers.class)
public @interface Server {
    /** The program and its arguments, as {@code Container.execInBackground} takes them. */
    String[] command();

    /** Ready once something listens on this TCP port inside the container; 0 for no such wait. */
    int waitForPort() default 0;

    /** Ready once a line of its output (stdout or stderr) matches this regular expression; empty for none. */
    String waitForLogLine() default "";

    /** Ready once this command, run in the container, exits with 0 (a health check); empty for none. */
    String[] waitForCommand() default {};

    /** The most each wait may take, such as {@code "10s"} or {@code "500ms"}; empty for 60 s. */
    String within() default "";
}
