package dev.containerized.container;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reproduction: {@code stats()} right after (or while) another thread closes the container
 * returned -1 for every figure in 2 of 10 tries. The figures read before the cgroup goes must be what it
 * returns then.
 */
class StatsAfterCloseTests {
    private static final int TRIES = 20;

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void statsWhileAndAfterAnotherThreadClosesTheContainerAreNeverMinusOne() throws Exception {
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < TRIES; i++) {
            Container container = Container.start(ContainerSpec.builder().pidsLimit(20).memoryLimit("64m").build());
            container.exec("sh", "-c", "echo busy");
            CgroupStats before = container.stats();
            CountDownLatch go = new CountDownLatch(1);
            Thread closer = new Thread(() -> {
                awaitQuietly(go);
                container.close();
            }, "closer");
            closer.start();
            go.countDown();
            while (closer.isAlive()) {
                check(before, container.stats(), "while closing, try " + i, bad);
            }
            closer.join();
            check(before, container.stats(), "after close, try " + i, bad);
        }
        assertThat(bad).isEmpty();
    }

    /** A figure the kernel offered before close (not -1) must not read as -1 afterwards. */
    private static void check(CgroupStats before, CgroupStats now, String when, List<String> bad) {
        long[] was = {before.pidsCurrent(), before.pidsPeak(), before.forksRefused(), before.memoryBytes(),
                before.memoryPeakBytes(), before.oomKills()};
        long[] is = {now.pidsCurrent(), now.pidsPeak(), now.forksRefused(), now.memoryBytes(),
                now.memoryPeakBytes(), now.oomKills()};
        for (int f = 0; f < was.length; f++) {
            if (was[f] >= 0 && is[f] < 0) {
                bad.add(when + ": " + now);
                return;
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
