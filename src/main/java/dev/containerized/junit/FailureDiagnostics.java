package dev.containerized.junit;

import dev.containerized.container.BackgroundProcess;
import dev.containerized.container.CgroupStats;
import dev.containerized.container.Container;
import dev.containerized.container.ContainerException;
import dev.containerized.internal.text.ControlCharacters;
import dev.containerized.container.ExecResult;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a failed test's container looked like: its cgroup figures, the commands still running or started
 * in the background with the tails of their output, and PID 1's log. Printed to the test's stderr, which
 * Surefire puts in its report (and on the console with {@code -Dsurefire.useFile=false}), and published as
 * report entries for tools that show those.
 */
final class FailureDiagnostics {
    private static final int TAIL_LINES = 20;
    private static final int TAIL_CHARS = 2000;

    private FailureDiagnostics() {
    }

    /** The containers handed to one context's methods; not AutoCloseable: their owner's store closes them. */
    private static final class Handed {
        private final Set<ManagedContainer> containers = new LinkedHashSet<>();

        synchronized void add(ManagedContainer managed) {
            containers.add(managed);
        }

        synchronized List<ManagedContainer> list() {
            return List.copyOf(containers);
        }
    }

    /** The key names the context: the store's lookup in parent contexts must not find a parent's list. */
    private record HandedKey(String context) {
    }

    static void handedTo(ExtensionContext context, ManagedContainer managed) {
        handed(context).add(managed);
    }

    private static Handed handed(ExtensionContext context) {
        return context.getStore(ContainerizedExtension.NAMESPACE)
                .getOrComputeIfAbsent(new HandedKey(context.getUniqueId()), key -> new Handed(), Handed.class);
    }

    /**
     * The diagnostics of the containers the failed method's context was given; when it was given none
     * (a test using the class's container from a field), those of the nearest enclosing context.
     */
    static void show(ExtensionContext context, Throwable failure) {
        if (failure instanceof TestAbortedException) {
            return; // a failed assumption skips the test: nothing to explain
        }
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            List<ManagedContainer> containers = handed(c.get()).list();
            if (!containers.isEmpty()) {
                containers.forEach(managed -> show(context, failure, managed));
                return;
            }
        }
    }

    private static void show(ExtensionContext context, Throwable failure, ManagedContainer managed) {
        Container container = managed.container();
        String description = container + (managed.timedOut() ? " (killed by its @Containerized timeout)" : "");
        CgroupStats stats = container.stats();
        String commands = describe(container.commands());
        String log = container.initLog();

        context.publishReportEntry("containerized.container", description);
        context.publishReportEntry("containerized.cgroup", String.valueOf(stats));
        if (!commands.isEmpty()) {
            context.publishReportEntry("containerized.commands", commands);
        }
        context.publishReportEntry("containerized.initLog", log.isEmpty() ? "(empty)" : tail(log));

        StringBuilder text = new StringBuilder("[containerized] ").append(name(context)).append(" failed (")
                .append(failure.getClass().getSimpleName()).append("); its container: ").append(description)
                .append("\n  cgroup: ").append(stats).append('\n');
        if (!commands.isEmpty()) {
            text.append(indent(commands, "  ")).append('\n');
        }
        if (!log.isEmpty()) {
            text.append("  PID 1's log:\n").append(indent(tail(log), "    ")).append('\n');
        }
        System.err.print(text); // one write: tests running in parallel do not interleave within it
        System.err.flush();
    }

    /** One paragraph per command: its argv, whether it still runs or how it ended, the tails of its output. */
    static String describe(List<BackgroundProcess> commands) {
        List<String> paragraphs = new ArrayList<>();
        for (BackgroundProcess command : commands) {
            String stdout = command.stdoutSoFar();
            String stderr = command.stderrSoFar();
            paragraphs.add("command " + command.command() + ": " + state(command)
                    + "\n  stdout" + (stdout.isEmpty() ? ": (empty)" : " (tail):\n" + indent(tail(stdout), "    "))
                    + "\n  stderr" + (stderr.isEmpty() ? ": (empty)" : " (tail):\n" + indent(tail(stderr), "    ")));
        }
        return String.join("\n", paragraphs);
    }

    private static String state(BackgroundProcess command) {
        if (command.isAlive()) {
            return "still running";
        }
        try {
            ExecResult result = command.await(Duration.ofSeconds(1)); // it ended: this returns at once
            return result.signal().isPresent() ? "killed by signal " + result.signal().getAsInt()
                    : "exited with status " + result.exitCode();
        } catch (ContainerException e) {
            return "ended: " + e.getMessage();
        }
    }

    /** The last lines of {@code text}, at most {@value #TAIL_LINES} and {@value #TAIL_CHARS} characters. */
    static String tail(String text) {
        List<String> lines = text.strip().lines().toList();
        String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
        boolean cut = lines.size() > TAIL_LINES || tail.length() > TAIL_CHARS;
        if (tail.length() > TAIL_CHARS) {
            tail = tail.substring(tail.length() - TAIL_CHARS);
        }
        tail = ControlCharacters.escape(tail);
        return cut ? "…\n" + tail : tail;
    }

    private static String indent(String text, String prefix) {
        return prefix + text.replace("\n", "\n" + prefix);
    }

    /**
     * {@code Class.method}, with the display name of a parameterized or repeated invocation; {@code Class}
     * for a class; a dynamic test, whose context has no class or method, after its factory.
     */
    private static String name(ExtensionContext context) {
        if (context.getTestClass().isEmpty() && context.getParent().isPresent()) {
            return name(context.getParent().get()) + " " + context.getDisplayName();
        }
        String type = context.getTestClass().map(Class::getSimpleName).orElse(context.getDisplayName());
        return context.getTestMethod().map(method -> type + "." + method.getName()
                + (context.getDisplayName().startsWith(method.getName() + "(") ? "" : " " + context.getDisplayName())).orElse(type);
    }
}
