package dev.containerized.junit;

import dev.containerized.container.ContainerSpec;
import dev.containerized.internal.text.Durations;
import dev.containerized.container.Seccomp;
import dev.containerized.junit.Declarations.Declaration;

import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.reflect.AnnotatedElement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The effective {@link Containerized} settings of one test: the method's annotation over the class's
 * (and enclosing classes', for {@code @Nested}) over the configuration parameters. Every value is
 * checked here, and a bad one fails with an {@link ExtensionConfigurationException} naming the
 * annotated element.
 */
record ContainerSettings(ContainerSpec spec, Containerized.Lifecycle lifecycle, Containerized.WhenUnsupported whenUnsupported,
                         Optional<Duration> timeout, List<Declaration<Server>> servers, String element) {

    /** The settings for {@code context}, or empty when neither its method nor its classes are annotated. */
    static Optional<ContainerSettings> of(ExtensionContext context) {
        List<Found> found = annotations(context);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(merge(found, context));
    }

    /**
     * Only whether to skip on an unsupported host, for the execution condition: it checks nothing else, so
     * that a bad setting fails where JUnit reports configuration (the class's beforeAll or the container
     * request), whatever the order of the conditions. A value that does not parse, or two annotations on
     * one element, count as FAIL here.
     */
    static Containerized.WhenUnsupported whenUnsupported(ExtensionContext context) {
        try {
            return pick(annotations(context), Containerized::whenUnsupported, w -> w != Containerized.WhenUnsupported.DEFAULT)
                    .orElseGet(() -> enumProperty(context, Containerized.WHEN_UNSUPPORTED_PROPERTY,
                            Containerized.WhenUnsupported.class, Containerized.WhenUnsupported.FAIL));
        } catch (IllegalArgumentException | ExtensionConfigurationException reportedLater) {
            return Containerized.WhenUnsupported.FAIL;
        }
    }

    /**
     * What two tests must have in common to share a PER_CLASS container: everything but where the
     * {@code @Containerized} was declared. The lifecycle is in it, so that a class that gives each test
     * its own container never owns one for its nested classes; the servers too, so that a test never
     * gets a container without the servers declared for it.
     */
    record Sharing(ContainerSpec spec, Containerized.Lifecycle lifecycle, Optional<Duration> timeout,
                   Containerized.WhenUnsupported whenUnsupported, List<Declaration<Server>> servers) {
    }

    Sharing sharing() {
        return new Sharing(spec, lifecycle, timeout, whenUnsupported, servers);
    }

    /** The method's annotation and its classes', nearest first; two on one of them are refused (see {@link Declarations#containerized}). */
    private static List<Found> annotations(ExtensionContext context) {
        List<Found> found = new ArrayList<>();
        for (AnnotatedElement element : elementsNearestFirst(context)) {
            Declarations.containerized(element).ifPresent(d -> found.add(new Found(d.annotation(), element)));
        }
        return found;
    }

    /**
     * Where a test's annotations can be: its method (for a method's context), its class, then the classes
     * that enclose it ({@code @Nested}). The nearest decides a setting; lists (mounts, servers) are
     * walked from the far end. The enclosing classes are those JUnit runs, from the contexts: a
     * {@code @Nested} class declared in an abstract base runs inside each concrete subclass, whose
     * settings are the ones that apply, not the base's that the source encloses it in.
     */
    static List<AnnotatedElement> elementsNearestFirst(ExtensionContext context) {
        List<AnnotatedElement> elements = new ArrayList<>();
        context.getTestMethod().ifPresent(elements::add);
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            c.get().getTestClass().filter(type -> !elements.contains(type)).ifPresent(elements::add);
        }
        return elements;
    }

    /** An annotation and where it was found, nearest first. */
    private record Found(Containerized annotation, AnnotatedElement on) {
        String element() {
            return Declarations.describe(on);
        }
    }

    private static ContainerSettings merge(List<Found> found, ExtensionContext context) {
        String element = found.get(0).element();
        ContainerSpec.Builder builder = ContainerSpec.builder();
        List<String> fromConfiguration = new ArrayList<>();
        try {
            // The nearest annotation that names a root filesystem, a directory or an image, decides it;
            // without one, the configuration parameters do.
            Optional<Containerized> named = found.stream().map(f -> f.annotation)
                    .filter(a -> !a.rootfs().isEmpty() || !a.image().isEmpty()).findFirst();
            if (named.isPresent()) {
                if (!named.get().rootfs().isEmpty()) {
                    builder.rootfs(Path.of(named.get().rootfs()));
                }
                if (!named.get().image().isEmpty()) {
                    builder.image(named.get().image());
                }
            } else {
                configured(context, Containerized.ROOTFS_PROPERTY, fromConfiguration).ifPresent(rootfs -> builder.rootfs(Path.of(rootfs)));
                configured(context, Containerized.IMAGE_PROPERTY, fromConfiguration).ifPresent(builder::image);
            }
            pick(found, Containerized::hostname, s -> !s.isEmpty()).ifPresent(builder::hostname);
            pick(found, Containerized::pidsLimit, n -> n != Containerized.DEFAULT).ifPresent(builder::pidsLimit);
            pick(found, Containerized::memoryLimit, s -> !s.isEmpty()).ifPresent(builder::memoryLimit);
            pick(found, Containerized::cpus, s -> !s.isEmpty()).ifPresent(builder::cpus);
            pick(found, Containerized::cpuset, s -> !s.isEmpty()).ifPresent(builder::cpuset);
            pick(found, Containerized::workingDirectory, s -> !s.isEmpty()).ifPresent(builder::workingDirectory);
            pick(found, Containerized::user, s -> !s.isEmpty()).ifPresent(builder::user);
            pick(found, Containerized::execTimeout, s -> !s.isEmpty())
                    .or(() -> configured(context, Containerized.EXEC_TIMEOUT_PROPERTY, fromConfiguration))
                    .map(ContainerSettings::parseDuration).ifPresent(builder::execTimeout);
            builder.readOnlyRootfs(found.stream().anyMatch(f -> f.annotation.readOnlyRootfs()));
            addMounts(context, builder);
            pick(found, Containerized::seccomp, s -> !s.isEmpty()).map(Seccomp::parse).ifPresent(builder::seccomp);
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
                    .or(() -> configured(context, Containerized.TIMEOUT_PROPERTY, fromConfiguration))
                    .map(ContainerSettings::parseDuration);
            return new ContainerSettings(builder.build(), lifecycle, whenUnsupported, timeout,
                    DeclaredServers.declaredFor(context), element);
        } catch (IllegalArgumentException e) {
            String configured = fromConfiguration.isEmpty() ? "" : " (with configuration parameter " + String.join(", ", fromConfiguration) + ")";
            throw new ExtensionConfigurationException("@Containerized on " + element + configured + ": " + e.getMessage(), e);
        }
    }

    /** A configuration parameter's value, remembered as {@code key=value} so that an error can name where it came from. */
    private static Optional<String> configured(ExtensionContext context, String key, List<String> fromConfiguration) {
        Optional<String> value = context.getConfigurationParameter(key).map(String::trim).filter(v -> !v.isEmpty());
        value.ifPresent(v -> fromConfiguration.add(key + "=" + v));
        return value;
    }

    /**
     * The mounts of the outermost class first, then the inner classes', then the method's. A bad one is
     * refused naming the element that declares it, which may not be the one annotated {@code @Containerized}.
     * A declaration that reaches the test through two elements (an interface that a class and its
     * {@code @Nested} class both implement) is one mount, not two on one target.
     */
    private static void addMounts(ExtensionContext context, ContainerSpec.Builder builder) {
        List<AnnotatedElement> elements = elementsNearestFirst(context);
        Set<Declaration<?>> seen = new HashSet<>();
        Map<String, String> targets = new HashMap<>();
        for (int i = elements.size() - 1; i >= 0; i--) {
            AnnotatedElement on = elements.get(i);
            for (Declaration<Mount> declared : Declarations.repeatable(on, Mount.class)) {
                if (!seen.add(declared)) {
                    continue;
                }
                Mount mount = declared.annotation();
                String what = "@Mount(source = \"" + mount.source() + "\", target = \"" + mount.target() + "\")";
                requireOwnTarget(targets, mount.target(), declared, what);
                try {
                    dev.containerized.container.Mount bind = dev.containerized.container.Mount.bind(Path.of(mount.source()), mount.target());
                    builder.mount(mount.readOnly() ? bind : bind.readWrite());
                } catch (IllegalArgumentException e) { // InvalidPathException included
                    throw new ExtensionConfigurationException(what + " on " + declared.where() + ": " + e.getMessage(), e);
                }
            }
            for (Declaration<Tmpfs> declared : Declarations.repeatable(on, Tmpfs.class)) {
                if (!seen.add(declared)) {
                    continue;
                }
                Tmpfs tmpfs = declared.annotation();
                String what = "@Tmpfs(target = \"" + tmpfs.target() + "\")";
                requireOwnTarget(targets, tmpfs.target(), declared, what);
                try {
                    builder.tmpfs(tmpfs.target(), tmpfs.size());
                } catch (IllegalArgumentException e) {
                    throw new ExtensionConfigurationException(what + " on " + declared.where() + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /**
     * Two mounts on one target, say from the class and from a method: both named with where each is
     * declared (a base class, an interface, an annotation of the user's own), and the way out.
     */
    private static void requireOwnTarget(Map<String, String> targets, String target, Declaration<?> declared, String what) {
        String mount = what + " on " + declared.where();
        String earlier = targets.putIfAbsent(target, mount);
        if (earlier != null) {
            throw new ExtensionConfigurationException(mount + " mounts on " + target + ", as " + earlier + " does: give each its own "
                    + "target (a mount never replaces another: a subclass's, a method's or a nested class's adds to those above it)");
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
        return Durations.parse(text);
    }
}
