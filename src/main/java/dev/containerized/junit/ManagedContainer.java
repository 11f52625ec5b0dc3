package dev.containerized.junit;

import dev.containerized.container.Container;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A test's container as kept in the {@code ExtensionContext.Store}: JUnit closes it when the test (or
 * class) ends, whatever the outcome. It also enforces the container's timeout.
 */
final class ManagedContainer implements AutoCloseable {
    private static final ScheduledExecutorService TIMEOUTS = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "containerized-timeouts");
        thread.setDaemon(true);
        return thread;
    });

    private final Container container;
    private final Optional<ScheduledFuture<?>> timeout;
    private volatile boolean timedOut;

    ManagedContainer(Container container, Optional<Duration> timeout) {
        this.container = container;
        this.timeout = timeout.map(limit -> TIMEOUTS.schedule(() -> {
            timedOut = true;
            container.closeBecause("its @Containerized timeout of " + limit.toMillis() + " ms passed");
        }, limit.toMillis(), TimeUnit.MILLISECONDS));
    }

    Container container() {
        return container;
    }

    boolean timedOut() {
        return timedOut;
    }

    @Override
    public void close() {
        timeout.ifPresent(t -> t.cancel(false));
        container.close();
    }
}
