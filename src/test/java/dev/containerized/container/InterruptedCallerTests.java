package dev.containerized.container;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A caller whose interrupt flag is set (a test that caught an InterruptedException and, as it should,
 * interrupted itself again; a preemptive timeout): closing still takes the whole container down and
 * says nothing false, and the flag is set again afterwards for the caller to see.
 */
class InterruptedCallerTests {
    @AfterEach
    void nothingLeftBehind() {
        Thread.interrupted();
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void closeFinishesTheTeardownAndKeepsTheFlag() {
        Container container = Container.start(ContainerSpec.builder().build());
        container.execInBackground("sleep", "60");
        Thread.currentThread().interrupt();
        container.close();
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        assertThat(container.isRunning()).isFalse();
    }

    @Test
    void aRunInterruptedWhileItsCommandRunsSaysSoAndLeavesNothing() throws Exception {
        Thread caller = Thread.currentThread();
        Thread interrupter = new Thread(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            caller.interrupt();
        });
        interrupter.start();
        long start = System.nanoTime();
        assertThatThrownBy(() -> Container.run(ContainerSpec.builder().build(), "sleep", "60"))
                .hasMessageContaining("interrupted").hasMessageNotContaining("SIGKILL");
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(30));
        interrupter.join();
    }

    @Test
    void aRunOnAnInterruptedThreadSaysSoAndLeavesNothing() {
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> Container.run(ContainerSpec.builder().build(), "sleep", "60"))
                .hasMessageContaining("interrupted").hasMessageNotContaining("SIGKILL");
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }
}
