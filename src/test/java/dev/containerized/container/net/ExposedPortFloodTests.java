package dev.containerized.container.net;

import dev.containerized.container.BackgroundProcess;
import dev.containerized.container.Container;
import dev.containerized.container.ContainerException;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.Leaks;
import dev.containerized.container.host.ContainerPlan;
import dev.containerized.container.host.HostContainer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attack run 6, F2: a process inside that opens connections to an exposed host port without end took
 * every descriptor of the test JVM (two sockets a connection), and kept them after it died. The relays
 * are bounded per container ({@link RelaySlots#EXPOSED_MAX}), and those whose container side ended go
 * once their grace is over. The floods here are a few hundred connections: harmless to the host.
 */
class ExposedPortFloodTests {
    private static final int FLOOD = 3 * RelaySlots.EXPOSED_MAX;
    /** Descriptors that come and go in this JVM meanwhile (the JIT, class loading, the container's own). */
    private static final int SLACK = 64;

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void aProcessInsideOpeningThreeTimesTheBoundHoldsAtMostTheBoundOfTheTestJvmsDescriptors() throws Exception {
        // The host's service is busy, as a database under load: it listens and accepts nothing.
        try (ServerSocketChannel busy = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 4096);
             Container c = Container.start(ContainerSpec.builder().pidsLimit(20).build())) {
            int port = ((InetSocketAddress) busy.getLocalAddress()).getPort();
            c.exposeHostPort(port, 5432);
            int before = descriptors();
            // bash's /dev/tcp: one process opens them all and holds them. Past the bound each one is
            // accepted and reset, which its connect mostly does not see; one that does is tried no more.
            BackgroundProcess flood = c.execInBackground("bash", "-c", "ulimit -n 4096; n=0; for i in $(seq " + FLOOD + "); do"
                    + " exec {fd}<>/dev/tcp/127.0.0.1/5432 2>/dev/null && n=$((n + 1)); done; echo made $n; exec sleep 600");
            int made = Integer.parseInt(flood.awaitLine("made", Duration.ofSeconds(60)).substring("made ".length()));
            assertThat(made).as("connections made").isGreaterThan(2 * RelaySlots.EXPOSED_MAX);
            Thread.sleep(200); // the last ones accepted, relayed or reset

            assertThat(descriptors() - before).as("the test JVM's descriptors the flood holds")
                    .isLessThanOrEqualTo(2 * RelaySlots.EXPOSED_MAX + SLACK);
            assertThat(Files.readString(Path.of("/proc/self/status"))).as("the JVM still opens files").contains("Pid:");
            assertThat(c.exec("true").exitCode()).as("the container still runs commands").isZero();
        }
    }

    @Test
    void aFewConnectionsAtOnceStillGoBothWays() throws Exception {
        try (ServerSocketChannel echo = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             Container c = Container.start(ContainerSpec.builder().build())) {
            int port = ((InetSocketAddress) echo.getLocalAddress()).getPort();
            Thread server = new Thread(() -> echoEach(echo), "echo");
            server.setDaemon(true);
            server.start();
            c.exposeHostPort(port, 8080);
            // Eight clients at once, each its own line back.
            String script = "for i in 1 2 3 4 5 6 7 8; do (exec 3<>/dev/tcp/127.0.0.1/8080; echo hello-$i >&3; head -n 1 <&3) & done; wait";
            List<String> lines = c.exec("bash", "-c", script).stdout().lines().sorted().toList();
            assertThat(lines).containsExactly("hello-1", "hello-2", "hello-3", "hello-4", "hello-5", "hello-6", "hello-7", "hello-8");
            echo.close();
            server.join(5000);
        }
    }

    @Test
    void relaysWhoseContainerSideEndedGoOnceTheGraceIsOverThoughTheHostSideNeverEnds() throws Exception {
        RelaySlots slots = new RelaySlots(8, Duration.ofMillis(500));
        HostContainer container = HostContainer.start(ContainerPlan.of(ContainerSpec.builder().build()), false);
        List<SocketChannel> clients = new ArrayList<>();
        try (ServerSocketChannel busy = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 64);
             ContainerNetwork network = container.network().withExposedSlots(slots)) {
            int port = ((InetSocketAddress) busy.getLocalAddress()).getPort();
            network.exposeHostPort(port, 5432);
            for (int i = 0; i < 8; i++) {
                clients.add(network.connect(5432)); // sockets of the container's namespace: its side
            }
            awaitSlotsUsed(slots, 8);
            assertThat(isReset(network)).as("one beyond the bound is reset").isTrue();

            for (SocketChannel client : clients) {
                client.close(); // the container's side ends; the host's service never answers nor closes
            }
            awaitSlotsUsed(slots, 0);
            SocketChannel again = network.connect(5432);
            clients.add(again);
            awaitSlotsUsed(slots, 1);
        } finally {
            for (SocketChannel client : clients) {
                client.close();
            }
            container.close("the test ended");
        }
    }

    private static void awaitSlotsUsed(RelaySlots slots, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (slots.used() != expected) {
            assertThat(System.nanoTime() - deadline).as("relays in use: " + slots.used() + ", expected " + expected).isNegative();
            Thread.sleep(10);
        }
    }

    private static void echoEach(ServerSocketChannel listener) {
        while (listener.isOpen()) {
            try (Socket socket = listener.accept().socket()) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                int b;
                while ((b = in.read()) >= 0) {
                    out.write(b);
                    if (b == '\n') {
                        break;
                    }
                }
            } catch (IOException e) {
                return; // closed: the test is over
            }
        }
    }

    private static int descriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        }
    }

    /** Whether a new connection is reset: at its connect, when the reset came first, or at its first read. */
    private static boolean isReset(ContainerNetwork network) {
        try (SocketChannel client = network.connect(5432)) {
            client.configureBlocking(false); // a connection relayed after all would wait for ever
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() - deadline < 0) {
                if (client.read(ByteBuffer.allocate(1)) < 0) {
                    return true;
                }
                Thread.sleep(10);
            }
            return false;
        } catch (ContainerException | IOException reset) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The grace counts from the last byte moved, not from the client's end: a client that sends its
     * request and shuts down its output (nc -N, HTTP/1.0 style) still gets a slow answer in full.
     */
    @Test
    void aHalfClosedClientStillReadingAStreamingAnswerIsNotCut() throws Exception {
        RelaySlots slots = new RelaySlots(8, Duration.ofSeconds(1));
        HostContainer container = HostContainer.start(ContainerPlan.of(ContainerSpec.builder().build()), false);
        try (ServerSocketChannel service = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             ContainerNetwork network = container.network().withExposedSlots(slots)) {
            Thread server = new Thread(() -> {
                try (Socket s = service.accept().socket()) {
                    InputStream in = s.getInputStream();
                    while (in.read() >= 0) {
                        // the request, up to the client's shutdown
                    }
                    OutputStream out = s.getOutputStream();
                    for (int i = 0; i < 15; i++) { // 3 s of answer: three graces
                        out.write('x');
                        out.flush();
                        Thread.sleep(200);
                    }
                } catch (IOException | InterruptedException e) {
                    // the client was cut: the assertion below says so
                }
            });
            server.setDaemon(true);
            server.start();
            int port = ((InetSocketAddress) service.getLocalAddress()).getPort();
            network.exposeHostPort(port, 7070);

            int got = 0;
            String ending = "end of stream";
            try (SocketChannel client = network.connect(7070)) {
                client.write(ByteBuffer.wrap("GET /stream\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                client.shutdownOutput();
                ByteBuffer buffer = ByteBuffer.allocate(64);
                int n;
                while ((n = client.read(buffer.clear())) >= 0) {
                    got += n;
                }
            } catch (IOException e) {
                ending = e.toString();
            }
            assertThat(got).as("bytes of the answer (then: " + ending + ")").isEqualTo(15);
        } finally {
            container.close("the test ended");
        }
    }
}
