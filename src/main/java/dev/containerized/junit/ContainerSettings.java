package dev.containerized.junit;

import dev.containerized.container.ContainerSpec;

import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.lang.reflect.AnnotatedElement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The effective {@link Containerized} settings of one test: the method's annotation over the class's
 * (and enclosing classes', for {@code @Nested}) over the configuration parameters. Every value is
 * checked here, and a bad one fails with an {@link ExtensionConfigurationException} naming the
 * annotated element.
 */
record ContainerSettings(ContainerSpec spec, Containerized.Lifecycle lifecycle, Containerized.WhenUnsupported whenUnsupported,
                         Optional<Duration> timeout, String element) {

    /** The settings for {@code context}, or empty when neither its method nor its classes are annotated. */
    static Optional<ContainerSettings> of(ExtensionContext context) {
        List<Found> found = new ArrayList<>();
        context.getTestMethod().flatMap(m -> AnnotationSupport.findAnnotation(m, Containerized.class))
                .ifPresent(a -> found.add(new Found(a, describe(context.getTestMethod().get()))));
        for (Class<?> type = context.getTestClass().orElse(null); type != null; type = type.getEnclosingClass()) {
            Class<?> current = type;
            AnnotationSupport.findAnnotation(type, Containerized.class).ifPresent(a -> found.add(new Found(a, describe(current))));
        }
        if (found.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(merge(found, context));
    }

    /** An annotation and where it was found, nearest first. */
    private record Found(Containerized annotation, String element) {
    }

    private static ContainerSettings merge(List<Found> found, ExtensionContext context) {
        String element = found.get(0).element;
        ContainerSpec.Builder builder = ContainerSpec.builder();
        try {
            pick(found, Containerized::rootfs, s -> !s.isEmpty()).ifPresent(rootfs -> builder.rootfs(Path.of(rootfs)));
            pick(found, Containerized::hostname, s -> !s.isEmpty()).ifPresent(builder::hostname);
            pick(found, Containerized::pidsLimit, n -> n != Containerized.DEFAULT).ifPresent(builder::pidsLimit);
            pick(found, Containerized::memoryLimit, s -> !s.isEmpty()).ifPresent(builder::memoryLimit);
            pick(found, Containerized::workingDirectory, s -> !s.isEmpty()).ifPresent(builder::workingDirectory);
            // Environment: the class's first, then the method's on top.
            for (int i = found.size() - 1; i >= 0; i--) {
                for (String entry : found.get(i).annotation.env()) {
                    int eq = entry.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("env entry \"" + entry + "\" must be NAME=VALUE");
                    }
                    builder.env(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
            Containerized.Lifecycle lifecycle = pick(found, Containerized::lifecycle, l -> l != Containerized.Lifecycle.DEFAULT)
                    .orElseGet(() -> enumProperty(context, Containerized.LIFECYCLE_PROPERTY, Containerized.Lifecycle.class,
                            Containerized.Lifecycle.PER_METHOD));
            Containerized.WhenUnsupported whenUnsupported = pick(found, Containerized::whenUnsupported,
                    w -> w != Containerized.WhenUnsupported.DEFAULT)
                    .orElseGet(() -> enumProperty(context, Containerized.WHEN_UNSUPPORTED_PROPERTY,
                            Containerized.WhenUnsupported.class, Containerized.WhenUnsupported.FAIL));
            Optional<Duration> timeout = pick(found, Containerized::timeout, s -> !s.isEmpty())
                    .or(() -> context.getConfigurationParameter(Containerized.TIMEOUT_PROPERTY))
                    .map(ContainerSettings::parseDuration);
            return new ContainerSettings(builder.build(), lifecycle, whenUnsupported, timeout, element);
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException("@Containerized on " + element + ": " + e.getMessage(), e);
        }
    }

    private static <T> Optional<T> pick(List<Found> found, Function<Containerized, T> attribute, Predicate<T> isSet) {
        return found.stream().map(f -> attribute.apply(f.annotation)).filter(isSet).findFirst();
    }

    private static <E extends Enum<E>> E enumProperty(ExtensionContext context, String key, Class<E> type, E fallback) {
        return context.getConfigurationParameter(key).map(value -> {
            try {
                return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("configuration parameter " + key + "=" + value + " is not one of "
                        + List.of(type.getEnumConstants()).subList(1, type.getEnumConstants().length).toString().toLowerCase(Locale.ROOT));
            }
        }).orElse(fallback);
    }

    /** {@code 90s}, {@code 5m}, {@code 1h}, {@code 500ms}. */
    static Duration parseDuration(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (!s.matches("[0-9]+(ms|s|m|h)")) { // parseLong also takes "+5" and other scripts' digits
                throw new NumberFormatException(s);
            }
            Duration d;
            if (s.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            } else if (s.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
            } else if (s.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
            } else if (s.endsWith("h")) {
                d = Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
            } else {
                throw new NumberFormatException();
            }
            if (d.isNegative() || d.isZero()) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException | ArithmeticException e) { // ArithmeticException: more hours than a Duration holds
            throw new IllegalArgumentException("timeout \"" + text + "\" does not parse: use a positive number with ms, s, m or h, such as \"30s\"");
        }
    }

    private static String describe(AnnotatedElement element) {
        if (element instanceof java.lang.reflect.Method m) {
            return "method " + m.getDeclaringClass().getSimpleName() + "." + m.getName() + "()";
        }
        return "class " + ((Class<?>) element).getName();
    }
}
