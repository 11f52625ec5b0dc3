package dev.containerized.container;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code Exec.stdin(Supplier)}: a stream that fails fails the exec; a stream left unread is closed with its command. */
class StdinStreamTests {
    @Test
    void aStreamThatFailsMidwayFailsTheExecInsteadOfPassingOnInputCutShort() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            IOException broken = new IOException("disk read failed");
            assertThatThrownBy(() -> c.exec(Exec.of("wc", "-c").stdin(() -> new FailingAfter(100_001, broken))))
                    .isInstanceOf(ContainerException.class)
                    .hasMessageContaining("the stdin stream of [wc, -c] failed after 100001 bytes, where the command then read end of file")
                    .hasMessageContaining("disk read failed")
                    .hasMessageContaining("exited with status 0")
                    .rootCause().isSameAs(broken);
            assertThat(c.exec("true").succeeded()).as("the container goes on").isTrue();
        }
    }

    @Test
    void aSupplierThatThrowsFailsTheExec() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            UncheckedIOException missing = new UncheckedIOException(new FileNotFoundException("fixture.json"));
            assertThatThrownBy(() -> c.exec(Exec.of("cat").stdin(() -> {
                throw missing;
            }))).isInstanceOf(ContainerException.class).hasMessageContaining("failed after 0 bytes").hasMessageContaining("fixture.json");
        }
    }

    @Test
    void aStreamTheCommandDoesNotReadIsClosedWhenTheCommandEndsWithNoThreadLeft() throws Exception {
        int feedersBefore = feeders();
        AtomicInteger closed = new AtomicInteger();
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            for (int i = 0; i < 5; i++) {
                // Nobody writes to it: a read blocks until the stream is closed.
                PipedInputStream silent = new PipedInputStream(new PipedOutputStream()) {
                    @Override
                    public void close() throws IOException {
                        closed.incrementAndGet();
                        super.close();
                    }
                };
                assertThat(c.exec(Exec.of("echo", "done").stdin(() -> silent)).stdout()).isEqualTo("done\n");
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while ((closed.get() < 5 || feeders() > feedersBefore) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(closed).as("streams closed while the container still runs").hasValue(5);
            assertThat(feeders()).as("stdin threads left").isEqualTo(feedersBefore);
        }
    }

    /** The stream's close runs off the container's I/O thread: a slow one holds up no other command. */
    @Test
    void aStreamThatIsSlowToCloseHoldsUpNoOtherCommand() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            PipedInputStream slowToClose = new PipedInputStream(new PipedOutputStream()) {
                @Override
                public void close() throws IOException {
                    try {
                        Thread.sleep(3000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    super.close();
                }
            };
            assertThat(c.exec(Exec.of("echo", "done").stdin(() -> slowToClose)).stdout()).isEqualTo("done\n");
            long t0 = System.nanoTime();
            assertThat(c.exec("true").succeeded()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void aCommandThatStopsReadingIsNotAFailure() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            byte[] big = new byte[5_000_000];
            assertThat(c.exec(Exec.of("head", "-c", "3").stdin(() -> new ByteArrayInputStream(big))).stdout()).hasSize(3);
        }
    }

    private static int feeders() {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("containerized-stdin")).count();
    }

    /** Gives {@code good} zero bytes, then throws {@code failure}. */
    private static final class FailingAfter extends InputStream {
        private final IOException failure;
        private long left;

        FailingAfter(long good, IOException failure) {
            this.left = good;
            this.failure = failure;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                throw failure;
            }
            int n = (int) Math.min(len, left);
            left -= n;
            return n;
        }
    }
}
