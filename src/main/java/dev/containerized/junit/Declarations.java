package dev.containerized.junit;

import org.junit.jupiter.api.extension.ExtensionConfigurationException;

import java.lang.annotation.Annotation;
import java.lang.annotation.Repeatable;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Finds this package's annotations as JUnit's {@code AnnotationSupport} does, directly or through an
 * annotation of the user's own, and also says which class, method or annotation type declares each:
 * JUnit's search hands back the annotation alone, and so cannot tell one declaration reached twice from
 * two declarations, nor name where a declaration is.
 */
final class Declarations {
    /** An annotation and the class, interface, method or annotation type that declares it. */
    record Declaration<A extends Annotation>(A annotation, AnnotatedElement on) {
        String where() {
            return describe(on);
        }
    }

    private Declarations() {
    }

    /**
     * The {@link Containerized} that applies to {@code element}, in the order of JUnit's
     * {@code findAnnotation}: the element's own (direct, or through annotations of the user's own),
     * else its interfaces', else its superclass's, which the nearer one hides. Two at the same level with
     * different settings are refused: JUnit would take one and silently drop the other's settings, a
     * limit the user asked for among them.
     */
    static Optional<Declaration<Containerized>> containerized(AnnotatedElement element) {
        List<Declaration<Containerized>> own = distinct(present(element, Containerized.class));
        if (own.size() > 1) {
            throw moreThanOne(element, own, "merge them into one @Containerized (an annotation of your own may carry it)");
        }
        if (!own.isEmpty() || !(element instanceof Class<?> type)) {
            return own.stream().findFirst();
        }
        List<Declaration<Containerized>> fromInterfaces = new ArrayList<>();
        for (Class<?> implemented : type.getInterfaces()) {
            containerized(implemented).ifPresent(fromInterfaces::add);
        }
        fromInterfaces = distinct(fromInterfaces);
        if (fromInterfaces.size() > 1) {
            throw moreThanOne(element, fromInterfaces, "annotate " + describe(element) + " itself with the one that applies, "
                    + "which hides its interfaces' (or merge theirs into one)");
        }
        if (!fromInterfaces.isEmpty()) {
            return Optional.of(fromInterfaces.get(0));
        }
        Class<?> superclass = type.getSuperclass();
        return superclass == null || superclass == Object.class ? Optional.empty() : containerized(superclass);
    }

    /**
     * The {@code type} annotations (a repeatable one) declared for {@code element}, in the order of JUnit's
     * {@code findRepeatableAnnotations}: its superclass's first, then its interfaces', then its own, each
     * directly or through annotations of the user's own. Equal ones count once, as there.
     */
    static <A extends Annotation> List<Declaration<A>> repeatable(AnnotatedElement element, Class<A> type) {
        Class<? extends Annotation> container = type.getAnnotation(Repeatable.class).value();
        Map<A, Declaration<A>> found = new LinkedHashMap<>();
        collectRepeatable(element, type, container, found, new HashSet<>());
        return List.copyOf(found.values());
    }

    /**
     * The declarations for several elements, say a test's method, its class and the enclosing classes:
     * one declaration that reaches two of them (an interface that the class and its {@code @Nested}
     * class both implement, or an annotation of the user's own on both the class and a method) is the
     * same declaration, kept once, where it is first found.
     */
    static <A extends Annotation> List<Declaration<A>> repeatable(List<AnnotatedElement> elements, Class<A> type) {
        Set<Declaration<A>> found = new LinkedHashSet<>();
        elements.forEach(element -> found.addAll(repeatable(element, type)));
        return List.copyOf(found);
    }

    private static <A extends Annotation> void collectRepeatable(AnnotatedElement element, Class<A> type,
                                                                 Class<? extends Annotation> container,
                                                                 Map<A, Declaration<A>> found, Set<Class<?>> visited) {
        if (element instanceof Class<?> c && !c.isAnnotation()) {
            // This package's repeatables and their containers are @Inherited: the superclass's come first.
            Class<?> superclass = c.getSuperclass();
            if (superclass != null && superclass != Object.class) {
                collectRepeatable(superclass, type, container, found, visited);
            }
            for (Class<?> implemented : c.getInterfaces()) {
                collectRepeatable(implemented, type, container, found, visited);
            }
        }
        for (Annotation annotation : element.getDeclaredAnnotations()) {
            Class<? extends Annotation> annotationType = annotation.annotationType();
            if (annotationType == type) {
                found.putIfAbsent(type.cast(annotation), new Declaration<>(type.cast(annotation), element));
            } else if (annotationType == container) {
                for (Annotation contained : containedIn(annotation)) {
                    found.putIfAbsent(type.cast(contained), new Declaration<>(type.cast(contained), element));
                }
            } else if (isSearched(annotationType) && visited.add(annotationType)) {
                collectRepeatable(annotationType, type, container, found, visited);
            }
        }
    }

    private static Annotation[] containedIn(Annotation container) {
        try {
            return (Annotation[]) container.annotationType().getMethod("value").invoke(container);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + container, e); // our own containers all have value()
        }
    }

    /** Two declarations with equal settings lose nothing when one is taken: only different ones conflict. */
    private static <A extends Annotation> List<Declaration<A>> distinct(List<Declaration<A>> declarations) {
        Map<A, Declaration<A>> byValue = new LinkedHashMap<>();
        declarations.forEach(d -> byValue.putIfAbsent(d.annotation(), d));
        return List.copyOf(byValue.values());
    }

    private static ExtensionConfigurationException moreThanOne(AnnotatedElement element, List<Declaration<Containerized>> found,
                                                              String fix) {
        String which = found.stream().map(d -> d.on() == element ? "its own" : "the one on " + d.where())
                .collect(Collectors.joining(" and "));
        return new ExtensionConfigurationException(found.size() + " @Containerized with different settings reach " + describe(element)
                + ": " + which + "; only one applies to a class or method, and the settings of the rest would be lost: " + fix);
    }

    /** {@code type} on {@code element} itself and on the annotations it carries, at any depth. */
    private static <A extends Annotation> List<Declaration<A>> present(AnnotatedElement element, Class<A> type) {
        List<Declaration<A>> found = new ArrayList<>();
        collectPresent(element, type, found, new HashSet<>());
        return found;
    }

    private static <A extends Annotation> void collectPresent(AnnotatedElement element, Class<A> type, List<Declaration<A>> found,
                                                              Set<Class<?>> visited) {
        for (Annotation annotation : element.getDeclaredAnnotations()) {
            Class<? extends Annotation> annotationType = annotation.annotationType();
            if (annotationType == type) {
                found.add(new Declaration<>(type.cast(annotation), element));
            } else if (isSearched(annotationType) && visited.add(annotationType)) {
                collectPresent(annotationType, type, found, visited);
            }
        }
    }

    /** Java's own meta-annotations (@Retention, @Target, ...) carry nothing of ours, and some annotate themselves. */
    private static boolean isSearched(Class<? extends Annotation> annotationType) {
        return !annotationType.getPackageName().equals("java.lang.annotation");
    }

    /** How messages name where a declaration is. */
    static String describe(AnnotatedElement element) {
        if (element instanceof Method m) {
            return "method " + m.getDeclaringClass().getSimpleName() + "." + m.getName() + "()";
        }
        Class<?> type = (Class<?>) element;
        if (type.isAnnotation()) {
            return "@" + type.getName();
        }
        return (type.isInterface() ? "interface " : "class ") + type.getName();
    }
}
