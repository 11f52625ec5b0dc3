package dev.containerized.junit;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerException;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.host.HostSupport;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.DynamicTestInvocationContext;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The behaviour behind {@link Containerized}: starts the container when a test or lifecycle method asks
 * for a {@link Container} parameter (or hands it the {@link ContainerSpec} to run commands as PID 1 with),
 * keeps it in the extension context's store (which closes it), skips tests on unsupported hosts when asked
 * to, and shows a failed test's container where users look. The runtime knows nothing of JUnit; this
 * package is all the glue.
 */
final class ContainerizedExtension implements ParameterResolver, ExecutionCondition, BeforeAllCallback, BeforeEachCallback,
        TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler, InvocationInterceptor {
    static final Namespace NAMESPACE = Namespace.create(ContainerizedExtension.class);
    /** The skip reason goes to the console once per JVM: Surefire otherwise shows it only in its XML report. */
    private static final AtomicBoolean SKIP_REASON_SAID = new AtomicBoolean();

    /** Only "skip on this host?": settings are checked where JUnit reports configuration, not here. */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (ContainerSettings.whenUnsupported(context) == Containerized.WhenUnsupported.SKIP) {
            Optional<String> problem = HostSupport.problem();
            if (problem.isPresent()) {
                sayOnceWhySkipped(problem.get());
                return ConditionEvaluationResult.disabled(problem.get());
            }
        }
        return ConditionEvaluationResult.enabled("the host can run containers, or unsupported hosts fail");
    }

    /** A class's bad settings fail the class, before any of its tests, whatever its conditions' order. */
    @Override
    public void beforeAll(ExtensionContext context) {
        ContainerSettings.of(context);
        DeclaredServers.check(context);
    }

    /** A method's bad settings fail the test, also when it asks for no container, once its conditions let it run. */
    @Override
    public void beforeEach(ExtensionContext context) {
        ContainerSettings.of(context);
        DeclaredServers.check(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type != Container.class && type != ContainerSpec.class) {
            return false;
        }
        if (ContainerSettings.of(context).isEmpty()) {
            throw new ExtensionConfigurationException("parameter '" + parameter.getParameter().getName() + "' of "
                    + parameter.getDeclaringExecutable() + " is a " + type.getSimpleName() + ", but neither the method "
                    + "nor its class is annotated @Containerized: add @Containerized to one of them");
        }
        return true;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ContainerSettings settings = ContainerSettings.of(context).orElseThrow();
        if (parameter.getParameter().getType() == ContainerSpec.class) {
            return settings.spec();
        }
        ContainerPlace place = ContainerPlace.of(settings, parameter, context);
        ManagedContainer managed = place.owner().getStore(NAMESPACE)
                .getOrComputeIfAbsent(place.key(), key -> DeclaredServers.start(start(settings), settings.servers()), ManagedContainer.class);
        FailureDiagnostics.handedTo(context, managed);
        return managed.container();
    }

    private static ManagedContainer start(ContainerSettings settings) {
        try {
            return new ManagedContainer(Container.start(settings.spec()), settings.timeout());
        } catch (ContainerException e) {
            Optional<String> problem = HostSupport.problem();
            if (settings.whenUnsupported() == Containerized.WhenUnsupported.SKIP && problem.isPresent()) {
                sayOnceWhySkipped(problem.get());
                throw new TestAbortedException(problem.get(), e);
            }
            // Where the host itself is the problem, say that: it names what is missing and the fix.
            throw new ContainerException("@Containerized on " + settings.element() + ": "
                    + problem.orElse("cannot start the container: " + e.getMessage()), e);
        }
    }

    private static void sayOnceWhySkipped(String problem) {
        if (SKIP_REASON_SAID.compareAndSet(false, true)) {
            System.err.println("[containerized] Skipping the tests that need a container (whenUnsupported = SKIP): " + problem);
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        FailureDiagnostics.show(context, throwable);
        throw throwable;
    }

    /**
     * JUnit hands a dynamic test's failure to no {@code TestExecutionExceptionHandler}: its diagnostics,
     * those of its factory's container, are shown here, as for every other failing test.
     */
    @Override
    public void interceptDynamicTest(Invocation<Void> invocation, DynamicTestInvocationContext invocationContext,
                                     ExtensionContext context) throws Throwable {
        try {
            invocation.proceed();
        } catch (Throwable failure) {
            FailureDiagnostics.show(context, failure);
            throw failure;
        }
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        FailureDiagnostics.show(context, throwable);
        throw throwable;
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        FailureDiagnostics.show(context, throwable);
        throw throwable;
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        FailureDiagnostics.show(context, throwable);
        throw throwable;
    }

    @Override
    public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        FailureDiagnostics.show(context, throwable);
        throw throwable;
    }
}
