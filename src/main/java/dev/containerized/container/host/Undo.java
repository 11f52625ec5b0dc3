package dev.containerized.container.host;

import dev.containerized.container.ContainerException;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A container's resources, acquired in phases, each registering its undo as it succeeds; closing runs
 * the undos in reverse order, after a failed start as at the end, so there is one teardown and no
 * hand-written rollback. Every undo runs even when an earlier one fails; the first failure is thrown
 * with the others suppressed.
 */
final class Undo implements AutoCloseable {
    private record Step(String name, Runnable undo) {
    }

    private final Deque<Step> steps = new ArrayDeque<>();

    /** Runs {@code acquire}; once it returns, {@code release} of its result is registered under {@code name}. */
    <T> T acquire(String name, Supplier<T> acquire, Consumer<T> release) {
        T resource = acquire.get();
        add(name, () -> release.accept(resource));
        return resource;
    }

    synchronized void add(String name, Runnable undo) {
        steps.push(new Step(name, undo));
    }

    /**
     * Runs the undos. An interrupt of the caller from before or between them is held back until they all
     * ran, and set again after: an undo waits for the kernel (PID 1's end, a thread's), and one cut short
     * would leave the container behind, or report a timeout that never happened, for a test that only left
     * its interrupt flag set. (One that comes while an undo waits may still cut that wait short.)
     */
    @Override
    public void close() {
        ContainerException failure = null;
        StartTrace trace = new StartTrace("teardown");
        boolean interrupted = false;
        Step step;
        try {
            while ((step = next()) != null) {
                interrupted |= Thread.interrupted();
                try {
                    step.undo.run();
                    trace.mark(step.name);
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = new ContainerException("cannot undo \"" + step.name + "\": " + e.getMessage(), e);
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        trace.print();
        if (failure != null) {
            throw failure;
        }
    }

    private synchronized Step next() {
        return steps.poll();
    }
}
