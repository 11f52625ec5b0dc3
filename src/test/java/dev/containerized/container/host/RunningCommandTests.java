package dev.containerized.container.host;

import dev.containerized.container.ContainerException;
import dev.containerized.container.ExecResult;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How a command's result is put together from PID 1's events and its pipes, without a container. */
class RunningCommandTests {
    private final AtomicLong oomKills = new AtomicLong();

    private RunningCommand command() {
        return new RunningCommand(1, List.of("prog", "arg"), new RunningCommand.FailureContext("/bin", 20, "/w", (path, count) -> java.util.Optional.empty()),
                oomKills::get, 1024, java.nio.charset.StandardCharsets.UTF_8, RunningCommand.OutputListener.NONE, 2);
    }

    private ExecResult finish(RunningCommand command, int waitStatus) {
        command.exited(waitStatus);
        command.streamClosed();
        command.streamClosed();
        return command.await(Duration.ofSeconds(1)).orElseThrow();
    }

    @Test
    void theResultWaitsForTheExitAndForBothPipes() {
        RunningCommand command = command();
        command.output(RunningCommand.STDOUT, "out".getBytes(), 3);
        command.exited(3 << 8);
        command.streamClosed();
        assertThat(command.await(Duration.ofMillis(50))).isEmpty();
        command.output(RunningCommand.STDERR, "err".getBytes(), 3);
        command.streamClosed();
        ExecResult result = command.await(Duration.ofSeconds(1)).orElseThrow();
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stdout()).isEqualTo("out");
        assertThat(result.stderr()).isEqualTo("err");
    }

    @Test
    void anOomKillIsASigkillWhileTheCountRose() {
        RunningCommand rose = command();
        oomKills.incrementAndGet();
        assertThat(finish(rose, 9).oomKilled()).isTrue();
        assertThat(finish(command(), 9).oomKilled()).as("count unchanged").isFalse();
        RunningCommand timedOut = command();
        timedOut.markTimedOut();
        oomKills.incrementAndGet();
        assertThat(finish(timedOut, 9).oomKilled()).as("killed for its timeout").isFalse();
        RunningCommand terminated = command();
        oomKills.incrementAndGet();
        assertThat(finish(terminated, 15).oomKilled()).as("SIGTERM").isFalse();
        RunningCommand exited137 = command();
        oomKills.incrementAndGet();
        assertThat(finish(exited137, 137 << 8).oomKilled()).as("exit status 137").isFalse();
    }

    @Test
    void aCommandThatCouldNotStartReadsAsAShellWouldSayIt() {
        RunningCommand missing = command();
        missing.failed(Pid1Protocol.STAGE_EXEC, 2);
        missing.streamClosed();
        missing.streamClosed();
        ExecResult result = missing.await(Duration.ofSeconds(1)).orElseThrow();
        assertThat(result.exitCode()).isEqualTo(127);
        assertThat(result.stderr()).isEqualTo("containerized: exec: \"prog\": executable file not found in $PATH (/bin)\n");

        RunningCommand full = command();
        full.failed(Pid1Protocol.STAGE_FORK, 11);
        full.streamClosed();
        full.streamClosed();
        ExecResult refused = full.await(Duration.ofSeconds(1)).orElseThrow();
        assertThat(refused.exitCode()).isEqualTo(126);
        assertThat(refused.stderr()).contains("at its pids limit of 20: EAGAIN");
        assertThatThrownBy(() -> full.pid(Duration.ofMillis(10))).isInstanceOf(ContainerException.class).hasMessageContaining("never started");
    }

    @Test
    void outputPastTheLimitKeepsItsHeadAndTailAndCountsWhatWasDropped() {
        RunningCommand command = command();
        byte[] chunk = "x".repeat(1000).getBytes();
        command.output(RunningCommand.STDOUT, "HEAD".getBytes(), 4);
        for (int i = 0; i < 10; i++) {
            command.output(RunningCommand.STDOUT, chunk, chunk.length);
        }
        command.output(RunningCommand.STDOUT, "TAIL".getBytes(), 4);
        ExecResult result = finish(command, 0);
        assertThat(result.stdoutDropped()).isEqualTo(10_008 - 1024);
        assertThat(result.outputTruncated()).isTrue();
        assertThat(result.stdout()).startsWith("HEAD").endsWith("TAIL").contains("[containerized: 8984 bytes of output dropped here]");
    }
}
