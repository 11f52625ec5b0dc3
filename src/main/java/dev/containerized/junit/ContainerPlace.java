package dev.containerized.junit;

import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a test's container lives: the context whose end closes it, and its key in that context's store.
 * A test gets a container built from exactly the settings that apply to it, and shares one only when its
 * lifecycle is PER_CLASS and its settings are the same:
 * <ul>
 * <li>PER_METHOD: the test's own context (its {@code @BeforeEach} and {@code @AfterEach} methods get the same one).
 * <li>PER_CLASS: the outermost class whose own settings equal the test's (its lifecycle and servers
 *     included, see {@link ContainerSettings.Sharing}), so plain {@code @Nested} classes share their outer
 *     class's container whichever runs first; if no class has them (a method refines them), the test's
 *     class, under a key of those settings, for the methods that have them.
 * </ul>
 * The key names its owner: the store's lookup in parent contexts never hands a container to a context
 * that computed another owner.
 */
record ContainerPlace(ExtensionContext owner, Object key) {
    private static final String TEST_CONTEXT_SCOPE = "junit.jupiter.extensions.testinstantiation.extensioncontextscope.default";

    private record PerMethod(String owner) {
    }

    private record PerClass(String owner, ContainerSettings.Sharing settings) {
    }

    static ContainerPlace of(ContainerSettings settings, ParameterContext parameter, ExtensionContext context) {
        if (settings.lifecycle() == Containerized.Lifecycle.PER_METHOD) {
            if (context.getTestMethod().isEmpty()) {
                String asker = "parameter '" + parameter.getParameter().getName() + "' of " + parameter.getDeclaringExecutable();
                if (parameter.getDeclaringExecutable() instanceof java.lang.reflect.Constructor) {
                    throw new ExtensionConfigurationException(asker + " asks for a Container in a constructor, which JUnit "
                            + "resolves in the class's context, where no test has begun, but " + settings.element()
                            + " gives each test method its own: take it as a parameter of the test or of a @BeforeEach method, "
                            + testContextScope(context) + "or use @Containerized(lifecycle = PER_CLASS) to share one");
                }
                throw new ExtensionConfigurationException(asker + " asks for a Container outside a test method, but "
                        + settings.element() + " gives each test method its own: use @Containerized(lifecycle = PER_CLASS)");
            }
            return new ContainerPlace(context, new PerMethod(context.getUniqueId()));
        }
        List<ExtensionContext> classes = classContexts(context);
        ExtensionContext owner = classes.get(0);
        for (ExtensionContext candidate : classes) {
            Optional<ContainerSettings> own = ContainerSettings.of(candidate);
            if (own.isPresent() && own.get().sharing().equals(settings.sharing())) {
                owner = candidate; // the list runs outward: the last match is the outermost
            }
        }
        return new ContainerPlace(owner, new PerClass(owner.getUniqueId(), settings.sharing()));
    }

    /**
     * The configuration parameter that makes JUnit resolve a constructor's parameters in its test's
     * context, as a way out where it is one: under PER_METHOD instances, each of which serves one test.
     * Under {@code @TestInstance(PER_CLASS)} one instance serves all the tests and JUnit never gives its
     * constructor a test's context; where the parameter is already set, setting it is no fix either.
     */
    private static String testContextScope(ExtensionContext context) {
        boolean oneInstanceForAllTests = context.getTestInstanceLifecycle().orElse(TestInstance.Lifecycle.PER_METHOD)
                == TestInstance.Lifecycle.PER_CLASS;
        boolean alreadySet = context.getConfigurationParameter(TEST_CONTEXT_SCOPE).filter(v -> v.trim().equalsIgnoreCase("test_method"))
                .isPresent();
        return oneInstanceForAllTests || alreadySet ? ""
                : "or set the configuration parameter " + TEST_CONTEXT_SCOPE + "=test_method (JUnit 5.12 and later), ";
    }

    /** The contexts of the test's class and its enclosing classes, innermost first. */
    private static List<ExtensionContext> classContexts(ExtensionContext context) {
        List<ExtensionContext> classes = new ArrayList<>();
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            if (c.get().getTestClass().isPresent() && c.get().getTestMethod().isEmpty()) {
                classes.add(c.get());
            }
        }
        return classes;
    }
}
