package dev.containerized.container;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Container.commands(): what a failed test's diagnostics list. */
class ContainerCommandsTests {
    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void runningCommandsAndTheLastBackgroundOnesAreListedInStartOrder() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            BackgroundProcess server = c.execInBackground("sleep", "30");
            for (int i = 0; i < CommandRegistry.ENDED_KEPT + 4; i++) {
                c.execInBackground("echo", "ended " + i).await();
            }
            CompletableFuture<ExecResult> foreground = CompletableFuture.supplyAsync(() -> c.exec("sleep", "0.5"));
            while (c.commands().stream().noneMatch(p -> p.command().equals(List.of("sleep", "0.5")))) {
                Thread.sleep(5);
            }

            List<BackgroundProcess> listed = c.commands();
            assertThat(listed.get(0)).isSameAs(server);
            assertThat(listed.subList(1, listed.size() - 1)).hasSize(CommandRegistry.ENDED_KEPT)
                    .allSatisfy(p -> assertThat(p.isAlive()).isFalse())
                    .first().satisfies(p -> assertThat(p.command()).containsExactly("echo", "ended 4"));
            assertThat(listed.get(listed.size() - 1).command()).containsExactly("sleep", "0.5");

            foreground.get();
            assertThat(c.commands()).noneMatch(p -> p.command().equals(List.of("sleep", "0.5")));
            c.exec(Duration.ofSeconds(5), "true");
            assertThat(c.commands()).hasSize(1 + CommandRegistry.ENDED_KEPT);
        }
    }

    /** PID 1 serves the next request while a command starts; execInBackground returns once it runs, as docker exec -d does. */
    @Test
    void aBackgroundCommandRunsWhenItsStartReturns() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            for (int i = 0; i < 50; i++) {
                BackgroundProcess sleeper = c.execInBackground("sleep", "60");
                ExecResult found = c.exec("pidof", "sleep");
                assertThat(found.stdout()).as("round %d: %s", i, found.describe()).isEqualTo(sleeper.pid() + "\n");
                sleeper.kill();
                sleeper.await();
            }
        }
    }
}
