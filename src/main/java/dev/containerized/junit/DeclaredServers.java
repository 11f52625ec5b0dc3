package dev.containerized.junit;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerException;
import dev.containerized.container.Wait;
import dev.containerized.junit.Declarations.Declaration;

import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.reflect.AnnotatedElement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@link Server}s declared for a container, started and waited for as the container is made. The
 * extension calls {@link #start} where it creates a container; a failure closes the container.
 */
final class DeclaredServers {
    /** One declaration, checked, and where it was found. */
    private record Declared(List<String> command, List<Wait> waits, String element) {
    }

    private DeclaredServers() {
    }

    /**
     * Starts {@code servers} (those that apply to the test the container is made for, see
     * {@link #declaredFor}), in order, and returns {@code managed} once all are ready. On failure the
     * container is closed and the exception names the declaration.
     */
    static ManagedContainer start(ManagedContainer managed, List<Declaration<Server>> servers) {
        try {
            for (Declaration<Server> server : servers) {
                start(managed.container(), checked(server));
            }
            return managed;
        } catch (RuntimeException e) {
            try {
                managed.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    private static void start(Container container, Declared server) {
        container.execInBackground(server.command.toArray(String[]::new));
        for (Wait wait : server.waits) {
            try {
                container.waitFor(wait);
            } catch (ContainerException e) {
                throw new ContainerException("@Server(command = " + server.command + ") on " + server.element
                        + " did not get ready: " + e.getMessage(), e);
            }
        }
    }

    /** Checks the declarations that apply to {@code context}, so that misuse fails as configuration, early. */
    static void check(ExtensionContext context) {
        declaredFor(context).forEach(DeclaredServers::checked);
    }

    /**
     * The servers that apply to {@code context}: enclosing classes' first, then the class's, then the test
     * method's. Each is a {@code @Server} and the class, method or annotation type that declares it, so
     * that one declaration reaching the test twice (an interface that a class and its {@code @Nested}
     * class both implement) starts one server, and tests share a PER_CLASS container only when the same
     * servers apply to them.
     */
    static List<Declaration<Server>> declaredFor(ExtensionContext context) {
        List<AnnotatedElement> farthestFirst = new ArrayList<>(ContainerSettings.elementsNearestFirst(context));
        Collections.reverse(farthestFirst);
        return Declarations.repeatable(farthestFirst, Server.class);
    }

    private static Declared checked(Declaration<Server> declaration) {
        return check(declaration.annotation(), declaration.where());
    }

    private static Declared check(Server server, String element) {
        String where = "@Server on " + element + ": ";
        if (server.command().length == 0 || server.command()[0].isEmpty()) {
            throw new ExtensionConfigurationException(where + "command is empty: give the server's program and its "
                    + "arguments, such as command = {\"httpd\", \"-f\", \"-p\", \"8080\"}");
        }
        Duration within = Wait.DEFAULT_TIMEOUT;
        if (!server.within().isEmpty()) {
            try {
                within = ContainerSettings.parseDuration(server.within());
            } catch (IllegalArgumentException e) {
                throw new ExtensionConfigurationException(where + "within = \"" + server.within() + "\" does not parse: "
                        + "use a positive number with ms, s, m or h, such as \"10s\"", e);
            }
        }
        List<Wait> waits = new ArrayList<>();
        try {
            if (server.waitForPort() != 0) {
                waits.add(Wait.forPort(server.waitForPort()).within(within));
            }
            if (!server.waitForLogLine().isEmpty()) {
                waits.add(Wait.forLogLine(Pattern.compile(server.waitForLogLine())).within(within));
            }
            if (server.waitForCommand().length > 0) {
                waits.add(Wait.forCommand(server.waitForCommand()).within(within));
            }
        } catch (PatternSyntaxException e) {
            throw new ExtensionConfigurationException(where + "waitForLogLine is not a regular expression: "
                    + e.getDescription() + " in \"" + e.getPattern() + "\"", e);
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException(where + e.getMessage(), e);
        }
        return new Declared(Arrays.asList(server.command()), waits, element);
    }
}
