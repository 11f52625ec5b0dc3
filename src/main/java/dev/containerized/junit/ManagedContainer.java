package dev.containerized.junit;

import dev.containerized.container.Container;

import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A test's container as kept in the {@code ExtensionContext.Store}: JUnit closes it when the test (or
 * class) ends, whatever the outcome. It also enforces the container's timeout. JUnit closes a stored
 * {@code AutoCloseable} since 5.13 only; before that only a {@code CloseableResource}, which JUnit 6
 * still closes (once, as either): it is both, so that a project whose JUnit is older than the one this
 * library is compiled against gets its containers closed too, not left running until the JVM ends.
 */
@SuppressWarnings("deprecation") // CloseableResource: deprecated since JUnit 5.13, the only kind closed before it
final class ManagedContainer implements AutoCloseable, ExtensionContext.Store.CloseableResource {
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
        try {
            // The close runs on a thread of its own: it may take a while (it lets line consumers take what is
            // there for up to a second), and the one timeouts thread must not make another container's timeout late.
            this.timeout = timeout.map(limit -> TIMEOUTS.schedule(() -> {
                timedOut = true;
                Thread close = new Thread(() -> container.closeBecause("its @Containerized timeout of " + limit.toMillis()
                        + " ms passed"), "containerized-timeout-" + container.id());
                close.setDaemon(true);
                close.start();
            }, millis(limit), TimeUnit.MILLISECONDS));
        } catch (RuntimeException e) { // nobody else holds the container yet: it would be left running
            container.close();
            throw e;
        }
    }

    /** Beyond Long.MAX_VALUE ms (292 million years), that long: toMillis() would throw. */
    private static long millis(Duration limit) {
        return limit.compareTo(Duration.ofMillis(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : limit.toMillis();
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
