package dev.containerized.junit.internal;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

import java.util.Arrays;
import java.util.Optional;
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
            + "\\[dev\\.containerized\\.container\\.(Container|ContainerSpec) (\\S+)] in (method|constructor) \\[(.*)]\\.?");
    private static final Pattern EXECUTABLE = Pattern.compile("([\\w$.]+)\\(([^)]*)\\)(?: throws .*)?$");

    /**
     * What asked for the container, which decides the fix that works: JUnit registers the extension from
     * the test method and its classes only, so an annotation on a lifecycle method does nothing.
     */
    enum Asker {
        /** A test method (or an invocation of one): its own annotation or its class's provides it. */
        TEST_METHOD,
        /** A @BeforeEach or @AfterEach method: it gets the container of the test it runs for. */
        EACH_TEST_LIFECYCLE_METHOD,
        /** A @BeforeAll or @AfterAll method or a constructor: only a class's PER_CLASS container reaches them. */
        CLASS_LEVEL
    }

    private final Set<String> hinted = ConcurrentHashMap.newKeySet();

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        result.getThrowable()
                .filter(t -> t.getClass().getName().equals("org.junit.jupiter.api.extension.ParameterResolutionException"))
                .map(t -> NO_RESOLVER.matcher(String.valueOf(t.getMessage())))
                .filter(Matcher::matches)
                .filter(m -> hinted.add(m.group(4) + " " + m.group(2)))
                .ifPresent(m -> System.err.println(hint(m.group(1), m.group(2), m.group(4),
                        asker(test, m.group(3).equals("constructor"), m.group(4)))));
    }

    /** From what failed: a class (its @BeforeAll, @AfterAll, constructor), or a test whose own method asked, or not. */
    private static Asker asker(TestIdentifier test, boolean constructor, String executable) {
        if (constructor) {
            return Asker.CLASS_LEVEL;
        }
        Optional<TestSource> source = test.getSource();
        if (source.isPresent() && source.get() instanceof ClassSource) {
            return Asker.CLASS_LEVEL;
        }
        if (source.isPresent() && source.get() instanceof MethodSource method && !isMethod(method, executable)) {
            return Asker.EACH_TEST_LIFECYCLE_METHOD;
        }
        return Asker.TEST_METHOD;
    }

    /** By name and parameter types: an inherited test's signature names the class declaring it, not the test's. */
    private static boolean isMethod(MethodSource method, String executable) {
        Matcher m = EXECUTABLE.matcher(executable);
        if (!m.find()) {
            return true; // unknown: the test method's hint is the one that used to be given
        }
        String qualified = m.group(1);
        String name = qualified.substring(qualified.lastIndexOf('.') + 1);
        String parameters = Arrays.stream(erased(m.group(2)).split(",")).map(String::trim).filter(p -> !p.isEmpty())
                .collect(Collectors.joining(","));
        String sourceParameters = Arrays.stream(method.getMethodParameterTypes().split(",")).map(String::trim)
                .filter(p -> !p.isEmpty()).collect(Collectors.joining(","));
        return name.equals(method.getMethodName()) && parameters.equals(sourceParameters);
    }

    /**
     * Parameter types without their type arguments: JUnit names a method by its generic signature
     * ({@code java.util.List<java.lang.String>}), whose commas and dots are not the parameters'.
     */
    static String erased(String parameters) {
        StringBuilder erased = new StringBuilder();
        int depth = 0;
        for (char c : parameters.toCharArray()) {
            if (c == '<') {
                depth++;
            } else if (c == '>') {
                depth = Math.max(0, depth - 1);
            } else if (depth == 0) {
                erased.append(c);
            }
        }
        return erased.toString();
    }

    static String hint(String type, String parameter, String executable, Asker asker) {
        String name = parameter.matches("arg\\d+") ? "" : " (parameter '" + parameter + "')";
        String asks = "[containerized] " + shorten(executable) + " asks for a " + type + name + ", but ";
        String nested = " (for a @Nested class, its enclosing class's also counts)";
        return switch (asker) {
            case TEST_METHOD -> asks + "neither the method nor its class is annotated @Containerized, which provides it: "
                    + "add @Containerized to the method or to its class" + nested;
            case EACH_TEST_LIFECYCLE_METHOD -> asks + "neither its class nor the test it ran for is annotated @Containerized, "
                    + "which provides it: add @Containerized to the class, or to each test method; a @BeforeEach or @AfterEach "
                    + "method gets the container of the test it runs for, and @Containerized on it does nothing" + nested;
            case CLASS_LEVEL -> asks + "its class is not annotated @Containerized(lifecycle = PER_CLASS), whose container is the "
                    + "one that reaches a constructor and @BeforeAll and @AfterAll methods: add it to the class" + nested;
        };
    }

    /** {@code void com.example.AppTests$Inner.test(dev.containerized.container.Container)} as {@code AppTests$Inner.test(Container)}. */
    private static String shorten(String executable) {
        Matcher m = EXECUTABLE.matcher(executable);
        if (!m.find()) {
            return executable;
        }
        String qualified = m.group(1);
        String parameters = Arrays.stream(erased(m.group(2)).split(",")).map(String::trim).filter(p -> !p.isEmpty())
                .map(p -> p.substring(p.lastIndexOf('.') + 1)).collect(Collectors.joining(", "));
        String[] parts = qualified.split("\\.");
        boolean constructor = parts.length > 1 && Character.isUpperCase(parts[parts.length - 1].charAt(0))
                && !parts[parts.length - 2].isEmpty() && Character.isLowerCase(parts[parts.length - 2].charAt(0));
        String shortName = constructor ? parts[parts.length - 1]
                : parts.length > 1 ? parts[parts.length - 2] + "." + parts[parts.length - 1] : qualified;
        return shortName + "(" + parameters + ")";
    }
}
