package dev.containerized.container.host;

import dev.containerized.container.ContainerException;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.Sockets;
import dev.containerized.internal.linux.Unistd;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The I/O loop over a socket pair and pipes standing for PID 1, without a container. Attack run 6, F3:
 * an OutOfMemoryError on the I/O thread ended the container without a word, and a command still running
 * waited for its result forever.
 */
class ContainerIoTests {

    @Test
    void anErrorOnTheIoThreadEndsTheContainerAndSaysWhyToTheCommandsStillRunning() throws Exception {
        Fd[] control = Sockets.streamPair();
        Fd[] log = Unistd.pipe();
        Fd[] stdout = Unistd.pipe();
        Fd[] stderr = Unistd.pipe();
        try {
            RunningCommand command = new RunningCommand(7, List.of("flood"), new RunningCommand.FailureContext("/bin", 20, "/", (path, count) -> java.util.Optional.empty()),
                    () -> 0, 1024, java.nio.charset.StandardCharsets.UTF_8, (stream, bytes, length) -> {
                        throw new OutOfMemoryError("Java heap space (this test's)");
                    }, 2);
            ContainerIo io = new ContainerIo("test", new Pid1Channel(control[0]), new EventReader(control[0]), log[0],
                    () -> "PID 1 exited", false);
            io.register(command, stdout[0], stderr[0]);
            Unistd.writeFully(stdout[1].number(), "a line\n".getBytes(StandardCharsets.UTF_8), 0, 7);

            assertThat(io.awaitEnd(Duration.ofSeconds(10))).as("the I/O loop ended").isTrue();
            assertThat(io.ended()).isEqualTo("its I/O thread failed: java.lang.OutOfMemoryError: Java heap space (this test's)");
            assertThatThrownBy(() -> command.result().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ContainerException.class)
                    .hasMessage("container test ended because its I/O thread failed: java.lang.OutOfMemoryError: Java heap space (this test's)");
            byte[] buffer = new byte[16];
            assertThat(Unistd.read(control[1].number(), buffer, buffer.length)).as("PID 1's end of the control socket reads its end")
                    .isZero();
        } finally {
            for (Fd fd : List.of(control[1], log[1], stdout[1], stderr[1])) {
                fd.close();
            }
        }
    }
}
