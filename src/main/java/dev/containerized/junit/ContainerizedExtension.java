package dev.containerized.junit;

import dev.containerized.container.CgroupStats;
import dev.containerized.container.Container;
import dev.containerized.container.ContainerException;
import dev.containerized.container.host.HostSupport;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

import java.util.Optional;

/**
 * The behaviour behind {@link Containerized}: starts the container when a test or lifecycle method asks
 * for a {@link Container} parameter, keeps it in the extension context's store (which closes it), skips
 * tests on unsupported hosts when asked to, and adds the container's diagnostics to the report of a
 * failed test. The runtime knows nothing of JUnit; this class is all the glue.
 */
final class ContainerizedExtension implements ParameterResolver, ExecutionCondition, TestExecutionExceptionHandler,
        LifecycleMethodExecutionExceptionHandler {
    private static final Namespace NAMESPACE = Namespace.create(ContainerizedExtension.class);
    private static final String KEY = "container";
    private static final int LOG_TAIL = 2000;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<ContainerSettings> settings = ContainerSettings.of(context);
        if (settings.isPresent() && settings.get().whenUnsupported() == Containerized.WhenUnsupported.SKIP) {
            Optional<String> problem = HostSupport.problem();
            if (problem.isPresent()) {
                return ConditionEvaluationResult.disabled(problem.get());
            }
        }
        return ConditionEvaluationResult.enabled("the host can run containers, or unsupported hosts fail");
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() != Container.class) {
            return false;
        }
        if (ContainerSettings.of(context).isEmpty()) {
            throw new ExtensionConfigurationException("parameter '" + parameter.getParameter().getName() + "' of "
                    + parameter.getDeclaringExecutable() + " is a Container, but neither the method nor its class is "
                    + "annotated @Containerized: add @Containerized to one of them");
        }
        return true;
    }

    @Override
    public Container resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ContainerSettings settings = ContainerSettings.of(context).orElseThrow();
        ExtensionContext owner = owner(settings, parameter, context);
        ManagedContainer managed = owner.getStore(NAMESPACE).getOrComputeIfAbsent(KEY,
                key -> DeclaredServers.start(start(settings), owner), ManagedContainer.class);
        return managed.container();
    }

    /** Per method: the test method's context, which its @BeforeEach/@AfterEach share; per class: the class's. */
    private static ExtensionContext owner(ContainerSettings settings, ParameterContext parameter, ExtensionContext context) {
        if (settings.lifecycle() == Containerized.Lifecycle.PER_CLASS) {
            ExtensionContext owner = context;
            while (owner.getTestMethod().isPresent() && owner.getParent().isPresent()) {
                owner = owner.getParent().get();
            }
            return owner;
        }
        if (context.getTestMethod().isEmpty()) {
            throw new ExtensionConfigurationException("parameter '" + parameter.getParameter().getName() + "' of "
                    + parameter.getDeclaringExecutable() + " asks for a Container outside a test method, but "
                    + settings.element() + " gives each test method its own: use @Containerized(lifecycle = PER_CLASS)");
        }
        return context;
    }

    private static ManagedContainer start(ContainerSettings settings) {
        try {
            return new ManagedContainer(Container.start(settings.spec()), settings.timeout());
        } catch (ContainerException e) {
            if (settings.whenUnsupported() == Containerized.WhenUnsupported.SKIP && HostSupport.problem().isPresent()) {
                throw new TestAbortedException(HostSupport.problem().get(), e);
            }
            // Where the host itself is the problem, say that: it names what is missing and the fix.
            throw new ContainerException("@Containerized on " + settings.element() + ": "
                    + HostSupport.problem().orElse("cannot start the container: " + e.getMessage()), e);
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        publishDiagnostics(context);
        throw throwable;
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        publishDiagnostics(context);
        throw throwable;
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        publishDiagnostics(context);
        throw throwable;
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        publishDiagnostics(context);
        throw throwable;
    }

    @Override
    public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        publishDiagnostics(context);
        throw throwable;
    }

    /** The init's log tail and the cgroup figures of the failed test's container, in the test report. */
    private static void publishDiagnostics(ExtensionContext context) {
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            ManagedContainer managed = c.get().getStore(NAMESPACE).get(KEY, ManagedContainer.class);
            if (managed != null) {
                Container container = managed.container();
                CgroupStats stats = container.stats();
                context.publishReportEntry("containerized.container", container + (managed.timedOut()
                        ? " (killed by its @Containerized timeout)" : ""));
                context.publishReportEntry("containerized.cgroup", stats == null ? "unavailable" : stats.toString());
                String log = container.initLog();
                context.publishReportEntry("containerized.initLog",
                        log.isEmpty() ? "(empty)" : log.length() > LOG_TAIL ? "…" + log.substring(log.length() - LOG_TAIL) : log);
                return;
            }
        }
    }
}
