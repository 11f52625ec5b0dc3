package dev.containerized.junit.internal;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Not API. Says how to fix a {@code Container} or {@code ContainerSpec} parameter that nothing provides:
 * without {@code @Containerized} on the method or its class, JUnit never calls the extension, and its own
 * failure ("No ParameterResolver registered for parameter ...") names no fix. The JUnit launcher (Surefire,
 * Gradle, IDEs) registers this listener by itself, through {@code META-INF/services}; it prints the hint to
 * stderr once per method, and changes nothing else.
 */
public final class MissingAnnotationHint implements TestExecutionListener {
    /** JUnit's message, the same in 5.x and 6.x: "... for parameter [TYPE NAME] in method [SIGNATURE]." */
    private static final Pattern NO_RESOLVER = Pattern.compile("No ParameterResolver registered for parameter "
            + "\\[dev\\.containerized\\.container\\.(Container|ContainerSpec) (\\S+)] in (?:method|constructor) \\[(.*)]\\.?");
    private static final Pattern EXECUTABLE = Pattern.compile("([\\w$.]+)\\(([^)]*)\\)(?: throws .*)?$");

    private final Set<String> hinted = ConcurrentHashMap.newKeySet();

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        result.getThrowable()
                .filter(t -> t.getClass().getName().equals("org.junit.jupiter.api.extension.ParameterResolutionException"))
                .map(t -> NO_RESOLVER.matcher(String.valueOf(t.getMessage())))
                .filter(Matcher::matches)
                .filter(m -> hinted.add(m.group(3) + " " + m.group(2)))
                .ifPresent(m -> System.err.println(hint(m.group(1), m.group(2), m.group(3))));
    }

    static String hint(String type, String parameter, String executable) {
        String name = parameter.matches("arg\\d+") ? "" : " (parameter '" + parameter + "')";
        return "[containerized] " + shorten(executable) + " asks for a " + type + name + ", but neither the method nor its "
                + "class is annotated @Containerized, which provides it: add @Containerized to the method or to its class "
                + "(for a @Nested class, its enclosing class's also counts)";
    }

    /** {@code void com.example.AppTests$Inner.test(dev.containerized.container.Container)} as {@code AppTests$Inner.test(Container)}. */
    private static String shorten(String executable) {
        Matcher m = EXECUTABLE.matcher(executable);
        if (!m.find()) {
            return executable;
        }
        String qualified = m.group(1);
        String parameters = Arrays.stream(m.group(2).split(",")).map(String::trim).filter(p -> !p.isEmpty())
                .map(p -> p.substring(p.lastIndexOf('.') + 1)).collect(Collectors.joining(", "));
        String[] parts = qualified.split("\\.");
        boolean constructor = parts.length > 1 && Character.isUpperCase(parts[parts.length - 1].charAt(0))
                && !parts[parts.length - 2].isEmpty() && Character.isLowerCase(parts[parts.length - 2].charAt(0));
        String shortName = constructor ? parts[parts.length - 1]
                : parts.length > 1 ? parts[parts.length - 2] + "." + parts[parts.length - 1] : qualified;
        return shortName + "(" + parameters + ")";
    }
}
