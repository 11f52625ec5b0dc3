package dev.containerized.junit;

import dev.containerized.container.Container;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;

/** Fixture: tests with their own containers, side by side. */
@Containerized(pidsLimit = 50)
@Execution(ExecutionMode.CONCURRENT)
class ParallelTestCases {
    static final Set<String> ids = ConcurrentHashMap.newKeySet();
    static final AtomicInteger running = new AtomicInteger();
    static final AtomicInteger mostAtOnce = new AtomicInteger();

    @RepeatedTest(4)
    void ownContainer(Container container) {
        mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
            assertThat(container).hasOwnPidNamespace();
            assertThat(container.exec("sh", "-c", "echo $$ > /tmp/mine; sleep 0.5; cat /tmp/mine")).succeeded();
            ids.add(container.id());
        } finally {
            running.decrementAndGet();
        }
    }
}
