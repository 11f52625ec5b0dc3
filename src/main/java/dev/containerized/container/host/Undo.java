package dev.containerized.container.host;

import dev.containerized.container.ContainerException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A container's resources, acquired in phases, each registering its undo as it succeeds; closing runs
 * the undos in reverse order, after a failed start as at the end, so there is one teardown and no
 * hand-written rollback. Every undo runs even when an earlier one fails, with an Error too; the first
 * Error, else the first failure, is thrown with the others suppressed.
 * <p>
 * Two kinds of undo leave that order where waiting would only cost time: one released <em>aside</em>
 * runs on a teardown thread while the undos before it run on the caller's (it must not depend on them),
 * and one released <em>last</em> waits for something that ends by itself once the others began. Either
 * way, {@link #close} returns once every undo ended.
 */
final class Undo implements AutoCloseable {
    /** Shared by every container: idle threads end after a minute, and none keeps the JVM alive. */
    private static final ExecutorService ASIDE = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "containerized-teardown");
        thread.setDaemon(true);
        return thread;
    });

    private record Step(String name, Runnable undo, boolean aside) {
    }

    /** An undo running aside, and the first failure of it. */
    private record Aside(String name, CompletableFuture<ContainerException> outcome) {
    }

    private final Deque<Step> steps = new ArrayDeque<>();

    /** Runs {@code acquire}; once it returns, {@code release} of its result is registered under {@code name}. */
    <T> T acquire(String name, Supplier<T> acquire, Consumer<T> release) {
        T resource = acquire.get();
        add(name, () -> release.accept(resource));
        return resource;
    }

    synchronized void add(String name, Runnable undo) {
        steps.push(new Step(name, undo, false));
    }

    /**
     * As {@link #acquire}, but {@code release} runs on a teardown thread, beside the undos registered
     * before it, which must neither need it done nor undo what it needs (the cgroup's removal beside the
     * state directory's deletion: two unrelated kernel objects, each a few system calls that wait). After
     * an earlier undo failed, it runs in its turn on the caller's thread instead.
     */
    <T> T acquireReleasedAside(String name, Supplier<T> acquire, Consumer<T> release) {
        T resource = acquire.get();
        synchronized (this) {
            steps.push(new Step(name, () -> release.accept(resource), true));
        }
        return resource;
    }

    /**
     * As {@link #acquire}, but {@code release} runs after every undo registered so far, not before them:
     * for a wait on something that ends by itself once those undos began (a thread that stops when the
     * container's processes are gone), so that its end overlaps their work instead of holding it up.
     */
    <T> T acquireReleasedLast(String name, Supplier<T> acquire, Consumer<T> release) {
        T resource = acquire.get();
        addLast(name, () -> release.accept(resource));
        return resource;
    }

    /** Registers {@code undo} to run after every undo registered so far (see {@link #acquireReleasedLast}). */
    synchronized void addLast(String name, Runnable undo) {
        steps.addLast(new Step(name, undo, false));
    }

    /**
     * Runs the undos. An interrupt of the caller from before or between them is held back until they all
     * ran, and set again after: an undo waits for the kernel (PID 1's end, a thread's), and one cut short
     * would leave the container behind, or report a timeout that never happened, for a test that only left
     * its interrupt flag set. (One that comes while an undo waits may still cut that wait short.)
     */
    @Override
    public void close() {
        StartTrace trace = new StartTrace("teardown");
        List<ContainerException> failures = new ArrayList<>();
        List<Aside> asides = new ArrayList<>();
        Error error = null;
        boolean interrupted = false;
        Step step;
        try {
            while ((step = next()) != null) {
                interrupted |= Thread.interrupted();
                // Beside the rest only while all went well: after a failure (PID 1 not ended, say), the order
                // is kept, and the state directory is not deleted while the cgroup may still hold processes.
                if (step.aside && failures.isEmpty() && error == null && startAside(step, asides)) {
                    trace.mark(step.name + " (begun aside)");
                    continue;
                }
                try {
                    ContainerException failure = run(step);
                    if (failure != null) {
                        failures.add(failure);
                    }
                } catch (Error e) { // out of memory, say: the other undos still run, and it is thrown after them
                    if (error == null) {
                        error = e;
                    } else {
                        error.addSuppressed(e);
                    }
                }
                trace.mark(step.name);
            }
            for (Aside aside : asides) {
                interrupted |= awaitUninterruptibly(aside, failures);
                trace.mark(aside.name + " (awaited)");
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        trace.print();
        if (error != null) {
            failures.forEach(error::addSuppressed);
            throw error;
        }
        if (!failures.isEmpty()) {
            ContainerException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    /** Runs one undo; its failure, named, or null. */
    private static ContainerException run(Step step) {
        try {
            step.undo.run();
            return null;
        } catch (RuntimeException e) {
            return new ContainerException("cannot undo \"" + step.name + "\": " + e.getMessage(), e);
        }
    }

    /** Hands {@code step} to a teardown thread; false if none could take it (the caller then runs it). */
    private static boolean startAside(Step step, List<Aside> asides) {
        CompletableFuture<ContainerException> outcome = new CompletableFuture<>();
        try {
            ASIDE.execute(() -> {
                try {
                    outcome.complete(run(step));
                } catch (Throwable e) { // an Error: the caller, waiting for the outcome, must still hear of it
                    outcome.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException | OutOfMemoryError noThread) {
            return false;
        }
        asides.add(new Aside(step.name, outcome));
        return true;
    }

    /** Waits for an undo running aside, adding its failure; true if the caller was interrupted meanwhile. */
    private static boolean awaitUninterruptibly(Aside aside, List<ContainerException> failures) {
        boolean interrupted = false;
        while (true) {
            try {
                ContainerException failure = aside.outcome.get();
                if (failure != null) {
                    failures.add(failure);
                }
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                failures.add(new ContainerException("cannot undo \"" + aside.name + "\": " + e.getCause(), e.getCause()));
                return interrupted;
            }
        }
    }

    private synchronized Step next() {
        return steps.poll();
    }
}
