package dev.containerized.container.host;

import dev.containerized.container.ContainerException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The order of a container's teardown: reverse, but for undos released aside or last. */
class UndoTests {
    private final List<String> ran = new CopyOnWriteArrayList<>();

    @Test
    void undosRunInReverseAndTheLastOnesAfterAllOfThem() {
        Undo undo = new Undo();
        undo.acquire("state", () -> "s", r -> ran.add("state"));
        undo.acquireReleasedLast("io", () -> "i", r -> ran.add("io"));
        undo.acquire("cgroup", () -> "c", r -> ran.add("cgroup"));
        undo.addLast("thread", () -> ran.add("thread"));
        undo.acquire("pid1", () -> "p", r -> ran.add("pid1"));

        undo.close();

        assertThat(ran).containsExactly("pid1", "cgroup", "state", "io", "thread");
    }

    @Test
    @Timeout(10)
    void anUndoReleasedAsideRunsBesideTheOnesBeforeItAndCloseWaitsForIt() throws Exception {
        // Were they run one after the other, the one aside would wait for the latch forever.
        CountDownLatch earlierRan = new CountDownLatch(1);
        CountDownLatch asideEnded = new CountDownLatch(1);
        Undo undo = new Undo();
        undo.acquire("state", () -> "s", r -> {
            ran.add("state began");
            earlierRan.countDown();
        });
        undo.acquireReleasedAside("cgroup", () -> "c", r -> {
            await(earlierRan);
            sleep(200); // close must still wait for it
            ran.add("cgroup on " + Thread.currentThread().getName());
            asideEnded.countDown();
        });

        undo.close();

        assertThat(asideEnded.getCount()).isZero();
        assertThat(ran).containsExactly("state began", "cgroup on containerized-teardown");
    }

    @Test
    void everyUndoRunsAndTheFirstFailureIsThrownWithTheOthersSuppressed() {
        Undo undo = new Undo();
        undo.acquire("state", () -> "s", r -> {
            ran.add("state");
            throw new IllegalStateException("state refused");
        });
        undo.acquireReleasedAside("cgroup", () -> "c", r -> {
            throw new IllegalStateException("cgroup busy");
        });
        undo.acquire("pid1", () -> "p", r -> {
            throw new IllegalStateException("pid1 stuck");
        });

        assertThatThrownBy(undo::close)
                .isInstanceOf(ContainerException.class)
                .hasMessage("cannot undo \"pid1\": pid1 stuck")
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactlyInAnyOrder(
                        "cannot undo \"state\": state refused", "cannot undo \"cgroup\": cgroup busy"));
        assertThat(ran).containsExactly("state");
    }

    @Test
    void afterAFailureTheUndoAsideRunsInItsTurnOnTheCallersThread() {
        Undo undo = new Undo();
        undo.acquire("state", () -> "s", r -> ran.add("state"));
        undo.acquireReleasedAside("cgroup", () -> "c", r -> ran.add("cgroup on " + Thread.currentThread().getName()));
        undo.acquire("pid1", () -> "p", r -> {
            throw new IllegalStateException("pid1 did not end");
        });

        assertThatThrownBy(undo::close).hasMessageContaining("pid1 did not end");

        assertThat(ran).containsExactly("cgroup on " + Thread.currentThread().getName(), "state");
    }

    @Test
    @Timeout(10)
    void anErrorInAnUndoAsideStillReachesTheCallerInsteadOfHangingItsClose() {
        Undo undo = new Undo();
        undo.acquireReleasedAside("cgroup", () -> "c", r -> {
            throw new AssertionError("broken");
        });

        assertThatThrownBy(undo::close).isInstanceOf(ContainerException.class)
                .hasMessageContaining("cannot undo \"cgroup\"").hasRootCauseMessage("broken");
    }

    @Test
    @Timeout(10)
    void anErrorInOneUndoStillLetsTheOthersRunAsideOrNotBeforeItIsThrown() {
        Undo undo = new Undo();
        undo.acquire("state", () -> "s", r -> ran.add("state"));
        undo.acquireReleasedAside("cgroup", () -> "c", r -> {
            sleep(200); // close must wait for it before it throws
            ran.add("cgroup");
        });
        undo.acquire("pid1", () -> "p", r -> {
            throw new OutOfMemoryError("no room");
        });

        assertThatThrownBy(undo::close).isInstanceOf(OutOfMemoryError.class).hasMessage("no room");

        assertThat(ran).containsExactlyInAnyOrder("state", "cgroup");
    }

    @Test
    void anInterruptIsHeldBackUntilEveryUndoRanAsideOrNot() {
        Undo undo = new Undo();
        undo.acquire("state", () -> "s", r -> ran.add("state, interrupted: " + Thread.currentThread().isInterrupted()));
        undo.acquireReleasedAside("cgroup", () -> "c", r -> {
            sleep(100);
            ran.add("cgroup");
        });
        Thread.currentThread().interrupt();
        try {
            undo.close();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(ran).containsExactlyInAnyOrder("state, interrupted: false", "cgroup");
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(5, TimeUnit.SECONDS)).as("the undo before it ran meanwhile").isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
