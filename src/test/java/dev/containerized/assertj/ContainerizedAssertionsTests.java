package dev.containerized.assertj;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.ExecResult;
import dev.containerized.container.Leaks;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The assertions pass on the truth and fail with a message that explains itself. */
class ContainerizedAssertionsTests {
    private static Container container;

    @BeforeAll
    static void start() {
        container = Container.start(ContainerSpec.builder().hostname("assert-box").pidsLimit(20).memoryLimit("64m").build());
    }

    @AfterAll
    static void stop() {
        container.close();
        org.assertj.core.api.Assertions.assertThat(Leaks.find()).isEmpty();
    }

    private static ExecResult result(int exitCode, OptionalInt signal, String out, String err, boolean timedOut, boolean oom) {
        return new ExecResult(List.of("prog", "arg"), exitCode, signal, out, err, Duration.ofMillis(5), timedOut, oom);
    }

    @Test
    void execResultAssertionsPassOnTheTruth() {
        assertThat(result(0, OptionalInt.empty(), "out\n", "", false, false)).succeeded().exitedWith(0).wasNotOomKilled()
                .stdout().isEqualTo("out\n");
        assertThat(result(137, OptionalInt.of(9), "", "", false, true)).wasKilledBySignal(9).wasOomKilled();
        assertThat(result(137, OptionalInt.of(9), "", "", true, false)).timedOut();
        assertThat(result(2, OptionalInt.empty(), "", "boom\n", false, false)).exitedWith(2).stderr().contains("boom");
    }

    /**
     * The assertions work with AssertJ's own features: soft assertions (which
     * subclass them), a test's own description through stdout() and stderr(), and a hint where a status
     * of 128 + N was a kill by signal N.
     */
    @Test
    void theAssertionsComposeWithSoftAssertionsAndDescriptions() {
        ExecResult failed = result(3, OptionalInt.empty(), "partial output\n", "", false, false);
        org.assertj.core.api.SoftAssertions softly = new org.assertj.core.api.SoftAssertions();
        softly.proxy(ExecResultAssert.class, ExecResult.class, failed).succeeded();
        softly.proxy(ExecResultAssert.class, ExecResult.class, failed).exitedWith(4);
        softly.proxy(ContainerAssert.class, Container.class, container).hasHostname("another-box");
        org.assertj.core.api.Assertions.assertThat(softly.errorsCollected()).hasSize(3);

        assertThatThrownBy(() -> assertThat(failed).as("the server's log").stdout().isEqualTo("all output"))
                .hasMessageContaining("[the server's log: stdout of command [prog, arg]");
        assertThatThrownBy(() -> assertThat(result(137, OptionalInt.of(9), "", "", false, false)).exitedWith(137))
                .hasMessageContaining("assert wasKilledBySignal(9) for that");
    }

    @Test
    void aFailureShowsTheCommandItsStatusAndTheTailsOfItsOutput() {
        ExecResult failed = result(3, OptionalInt.empty(), "partial output\n", "something broke\n", false, false);
        assertThatThrownBy(() -> assertThat(failed).succeeded())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expected the command to succeed")
                .hasMessageContaining("[prog, arg]")
                .hasMessageContaining("exited with status 3")
                .hasMessageContaining("partial output")
                .hasMessageContaining("something broke");
        assertThatThrownBy(() -> assertThat(failed).wasKilledBySignal(9)).hasMessageContaining("killed by signal 9");
        assertThatThrownBy(() -> assertThat(failed).wasOomKilled()).hasMessageContaining("OOM killer");
        assertThatThrownBy(() -> assertThat(failed).timedOut()).hasMessageContaining("time out");
        // A failure about the output also says how the command ended, and shows the other stream.
        assertThatThrownBy(() -> assertThat(failed).stdout().isEmpty()).hasMessageContaining("stdout of command [prog, arg]")
                .hasMessageContaining("exited with status 3").hasMessageContaining("something broke");
        assertThatThrownBy(() -> assertThat(failed).stderr().isEmpty()).hasMessageContaining("stderr of command [prog, arg]")
                .hasMessageContaining("exited with status 3").hasMessageContaining("partial output");
    }

    /** The container's escape sequences (a clipboard write, a cleared screen) never reach the developer's terminal. */
    @Test
    void aFailureShowsTheOutputsControlCharactersEscaped() {
        ExecResult printed = result(3, OptionalInt.empty(), "\u001b]52;c;Y3VybA==\u0007\u001b[2J\u001b[Hall good\rlie\n", "\u009b2J\n", false, false);
        assertThatThrownBy(() -> assertThat(printed).succeeded())
                .hasMessageNotContaining("\u001b").hasMessageNotContaining("\u0007").hasMessageNotContaining("\r")
                .hasMessageNotContaining("\u009b")
                .hasMessageContaining("\\u001b]52;c;Y3VybA==\\u0007\\u001b[2J\\u001b[Hall good\\u000dlie")
                .hasMessageContaining("\\u009b2J");
    }

    @Test
    void containerAssertionsCheckTheRealContainer() {
        assertThat(container).hasHostname("assert-box").hasOwnPidNamespace().pidsNeverExceeded(20).memoryPeakAtMost("64m");
        assertThatThrownBy(() -> assertThat(container).hasHostname("other")).hasMessageContaining("hostname <other>")
                .hasMessageContaining("assert-box");
        assertThatThrownBy(() -> assertThat(container).hadOomKill()).hasMessageContaining("Expected an OOM kill");
        assertThat(container).hadNoOomKill();
    }

    @Test
    void capAndOomAssertionsOnABombAndAHog() {
        try (Container c = Container.start(ContainerSpec.builder().pidsLimit(20).memoryLimit("64m").build())) {
            assertThatThrownBy(() -> assertThat(c).refusedForks()).hasMessageContaining("refused none");
            assertThat(c.exec(Duration.ofSeconds(2), "bash", "-c", "while :; do bash -c ':(){ :|:& };:'; done")).timedOut();
            assertThat(c).pidsNeverExceeded(20).refusedForks();
            assertThatThrownBy(() -> assertThat(c).pidsNeverExceeded(5)).hasMessageContaining("never to exceed 5 tasks");
            assertThat(c.exec("bash", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' x)")).wasOomKilled();
            assertThat(c).hadOomKill().memoryPeakAtMost("64m");
            assertThatThrownBy(() -> assertThat(c).hadNoOomKill()).hasMessageContaining("Expected no OOM kill in container " + c.id())
                    .hasMessageContaining("but the OOM killer ended ");
        }
    }

    @AfterEach
    void onlyTheSharedContainerIsLeft() {
        // The shared container's own traces, its PID 1's pidfd and its root held among them; stop() checks that they go too.
        org.assertj.core.api.Assertions.assertThat(Leaks.find()).allSatisfy(leak ->
                org.assertj.core.api.Assertions.assertThat(leak).matches(l -> l.contains(container.id()) || l.contains("[pidfd]")
                        || l.endsWith(" -> /")));
    }
}
