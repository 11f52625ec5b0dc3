package dev.containerized.container;

import dev.containerized.container.net.ListeningPorts;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Servers from the built-in rootfs (busybox httpd and nc) reached from the test JVM, and back, for real. */
class ServerTests {
    private static final Duration START = Duration.ofSeconds(10);
    private static final long HUNDRED_MB = 100_000_000L;

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void anHttpRequestFromTheTestReachesHttpdThroughAHostPort() throws Exception {
        List<Integer> hostPorts = new ArrayList<>();
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            assertThat(c.exec("sh", "-c", "mkdir /www && echo 'hello from busybox httpd' > /www/index.html").succeeded()).isTrue();
            c.execInBackground("httpd", "-f", "-v", "-p", "8080", "-h", "/www");
            c.waitFor(Wait.forPort(8080).within(START));

            int port = c.hostPort(8080);
            hostPorts.add(port);
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index.html")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello from busybox httpd\n");
            assertThat(c.hostPort(8080)).as("the same host port for the same container port").isEqualTo(port);
            assertThat(hostListening()).contains(port);
        }
        assertThat(hostListening()).doesNotContainAnyElementsOf(hostPorts);
    }

    @Test
    void a100MegabyteUploadArrivesByteForByte() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            BackgroundProcess sink = c.execInBackground("sh", "-c", "nc -l -p 9000 | sha256sum");
            c.waitFor(Wait.forPort(9000).within(START));

            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), c.hostPort(9000))) {
                OutputStream out = socket.getOutputStream();
                SplittableRandom random = new SplittableRandom(42);
                byte[] chunk = new byte[64 * 1024];
                for (long left = HUNDRED_MB; left > 0; left -= chunk.length) {
                    random.nextBytes(chunk);
                    int n = (int) Math.min(chunk.length, left);
                    sent.update(chunk, 0, n);
                    out.write(chunk, 0, n);
                }
                socket.shutdownOutput();
                assertThat(socket.getInputStream().read()).as("nc ends the connection once it has all").isEqualTo(-1);
            }
            ExecResult result = sink.await(Duration.ofSeconds(60));
            assertThat(result.stdout()).startsWith(HexFormat.of().formatHex(sent.digest()));
        }
    }

    @Test
    void a100MegabyteDownloadArrivesByteForByte() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            ExecResult made = c.exec("sh", "-c", "head -c " + HUNDRED_MB + " /dev/urandom > /tmp/data && sha256sum /tmp/data");
            assertThat(made.succeeded()).as(made.describe()).isTrue();
            BackgroundProcess source = c.execInBackground("sh", "-c", "nc -l -p 9001 < /tmp/data");
            c.waitFor(Wait.forPort(9001).within(START));

            MessageDigest received = MessageDigest.getInstance("SHA-256");
            long count = 0;
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), c.hostPort(9001))) {
                InputStream in = socket.getInputStream();
                byte[] chunk = new byte[64 * 1024];
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    received.update(chunk, 0, n);
                    count += n;
                }
            }
            assertThat(count).isEqualTo(HUNDRED_MB);
            assertThat(made.stdout()).startsWith(HexFormat.of().formatHex(received.digest()));
            assertThat(source.await(Duration.ofSeconds(30)).succeeded()).isTrue();
        }
    }

    @Test
    void fiftyConnectionsAtOnceEachGetTheirOwnEcho() throws Exception {
        int connections = 50;
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            c.execInBackground("nc", "-ll", "-p", "9002", "-e", "cat");
            c.waitFor(Wait.forPort(9002).within(START));
            int port = c.hostPort(9002);
            ExecutorService clients = Executors.newFixedThreadPool(connections);
            try {
                CountDownLatch allOpen = new CountDownLatch(connections);
                List<Future<byte[]>> echoes = new ArrayList<>();
                for (int i = 0; i < connections; i++) {
                    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
                    socket.setSoTimeout(30_000);
                    // busybox nc listens with a backlog of 2: a burst of connects overflows it (syncookies
                    // fail, connections are reset, directly as through a host port). Each is accepted
                    // before the next; then all fifty talk at once.
                    socket.getOutputStream().write('>');
                    assertThat(socket.getInputStream().read()).isEqualTo('>');
                    byte[] message = new byte[64 * 1024];
                    new SplittableRandom(i).nextBytes(message);
                    echoes.add(clients.submit(() -> {
                        try (socket) {
                            allOpen.countDown();
                            allOpen.await(30, TimeUnit.SECONDS);
                            socket.getOutputStream().write(message);
                            socket.shutdownOutput();
                            return socket.getInputStream().readAllBytes();
                        }
                    }));
                }
                for (int i = 0; i < connections; i++) {
                    byte[] expected = new byte[64 * 1024];
                    new SplittableRandom(i).nextBytes(expected);
                    assertThat(echoes.get(i).get(60, TimeUnit.SECONDS)).as("echo of connection " + i).isEqualTo(expected);
                }
                assertThat(c.exec("sh", "-c", "ps -o comm | grep -c '^cat'").stdout().strip())
                        .as("every cat is gone once its connection ended").isEqualTo("0");
            } finally {
                clients.shutdownNow();
            }
        }
    }

    @Test
    void aServerThatNeverStartsFailsTheWaitWithItsOutput() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            c.execInBackground("sh", "-c", "echo 'starting the server'; echo 'fatal: /etc/app.conf: no such file' >&2; exit 3");

            long start = System.nanoTime();
            assertThatThrownBy(() -> c.waitFor(Wait.forPort(8080).within(Duration.ofSeconds(30))))
                    .isInstanceOf(ContainerException.class)
                    .hasMessageContaining("container " + c.id())
                    .hasMessageContaining("stopped waiting for port 8080 to accept connections")
                    .hasMessageContaining(" of 30 s: every background command ended, none with success")
                    .hasMessageContaining("[sh, -c, echo 'starting the server'")
                    .hasMessageContaining("(exited with status 3)")
                    .hasMessageContaining("out| starting the server")
                    .hasMessageContaining("err| fatal: /etc/app.conf: no such file");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no waiting for a port nothing is left to open")
                    .isLessThan(Duration.ofSeconds(5));

            long t0 = System.nanoTime();
            assertThatThrownBy(() -> c.waitFor(Wait.forLogLine("listening on").within(Duration.ofSeconds(30))))
                    .isInstanceOf(ContainerException.class)
                    .hasMessageContaining("a line of a background command matching \"listening on\"")
                    .hasMessageContaining("the output of every background command ended without such a line")
                    .hasMessageContaining("err| fatal: /etc/app.conf: no such file");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("no waiting for output that cannot come")
                    .isLessThan(Duration.ofSeconds(5));
            assertThat(c.backgroundOutput()).contains("(exited with status 3)").contains("err| fatal: /etc/app.conf: no such file");
        }
    }

    @Test
    void aServerThatDaemonizesIsWaitedForThoughItsStarterEnded() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            // The starter exits 0 at once; the server it leaves behind listens a moment later.
            c.execInBackground("sh", "-c", "(sleep 0.5; exec nc -ll -p 9006 -e cat) > /dev/null 2>&1 & exit 0");
            c.waitFor(Wait.forPort(9006).within(START));
        }
    }

    @Test
    void connectingToAPortNobodyListensOnSaysWhichContainerAndPort() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            assertThatThrownBy(() -> c.connect(9999))
                    .isInstanceOf(ContainerException.class)
                    .hasMessageContaining("127.0.0.1:9999 in container " + c.id())
                    .hasMessageContaining("nothing listens on port 9999")
                    .hasMessageContaining("Wait.forPort(9999)");

            // Through a host port, the client's connection is reset, as from a closed port: no hang.
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), c.hostPort(9999))) {
                socket.setSoTimeout(10_000);
                assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(IOException.class)
                        .hasMessageContaining("reset");
            }
        }
    }

    @Test
    void connectGivesASocketOfTheContainersLoopbackClosedWithTheContainer() throws Exception {
        SocketChannel channel;
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            c.execInBackground("nc", "-ll", "-p", "9003", "-e", "cat");
            c.waitFor(Wait.forPort(9003).within(START));
            channel = c.connect(9003);
            channel.write(ByteBuffer.wrap("ping\n".getBytes(StandardCharsets.UTF_8)));
            ByteBuffer answer = ByteBuffer.allocate(5);
            while (answer.hasRemaining() && channel.read(answer) >= 0) {
                // until the echo is whole
            }
            assertThat(new String(answer.array(), StandardCharsets.UTF_8)).isEqualTo("ping\n");
            assertThat(channel.socket().getInetAddress().getHostAddress()).isEqualTo("127.0.0.1");
        }
        assertThat(channel.isOpen()).as("closed with the container").isFalse();
    }

    @Test
    void aMockServerOfTheTestJvmIsReachableInsideTheContainer() throws Exception {
        HttpServer mock = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        mock.createContext("/hello", exchange -> {
            byte[] body = ("hello from the test JVM, you sent " + exchange.getRequestHeaders().getFirst("User-Agent")).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        mock.start();
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            int port = mock.getAddress().getPort();
            assertThat(c.exposeHostPort(port)).isEqualTo(port);
            ExecResult get = c.exec("wget", "-q", "-O", "-", "-U", "busybox-wget", "http://127.0.0.1:" + port + "/hello");
            assertThat(get.succeeded()).as(get.describe()).isTrue();
            assertThat(get.stdout()).isEqualTo("hello from the test JVM, you sent busybox-wget");

            assertThat(c.exposeHostPort(port, 8081)).isEqualTo(8081);
            assertThat(c.exec("wget", "-q", "-O", "-", "-U", "x", "http://localhost:8081/hello").stdout())
                    .isEqualTo("hello from the test JVM, you sent x");
        } finally {
            mock.stop(0);
        }
    }

    @Test
    void exposingAtAPortTakenInsideSaysSo() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            c.execInBackground("nc", "-ll", "-p", "9004", "-e", "cat");
            c.waitFor(Wait.forPort(9004).within(START));
            assertThatThrownBy(() -> c.exposeHostPort(12345, 9004))
                    .isInstanceOf(ContainerException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:9004 in container " + c.id())
                    .hasMessageContaining("something there listens on it already")
                    .hasMessageContaining("exposeHostPort(12345, otherPort)");
        }
    }

    @Test
    void nothingIsLeftListeningOnTheHostAfterClose() throws Exception {
        List<Integer> ports = new ArrayList<>();
        Container c = Container.start(ContainerSpec.builder().build());
        try {
            c.execInBackground("nc", "-ll", "-p", "9005", "-e", "cat");
            c.waitFor(Wait.forPort(9005).within(START));
            for (int containerPort : new int[] {9005, 9006, 9007}) {
                ports.add(c.hostPort(containerPort));
            }
            // A connection still open at close is reset, not left behind.
            Socket open = new Socket(InetAddress.getLoopbackAddress(), ports.get(0));
            open.getOutputStream().write('x');
            assertThat(open.getInputStream().read()).as("echoed").isEqualTo('x');
            assertThat(hostListening()).containsAll(ports);
            c.close();
            open.setSoTimeout(10_000);
            assertThat(readOrReset(open)).isEqualTo(-1);
            open.close();
        } finally {
            c.close();
        }
        assertThat(hostListening()).doesNotContainAnyElementsOf(ports);
        for (int port : ports) {
            assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                    .as("port " + port).isInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void aHealthCheckCommandIsRetriedUntilItSucceeds() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            c.execInBackground("sh", "-c", "sleep 0.5; touch /tmp/ready");
            c.waitFor(Wait.forCommand("test", "-f", "/tmp/ready").within(START));
            assertThat(c.exec("ls", "/tmp/ready").succeeded()).isTrue();

            assertThatThrownBy(() -> c.waitFor(Wait.forCommand("sh", "-c", "echo not yet >&2; exit 1").within(Duration.ofMillis(700))))
                    .isInstanceOf(ContainerException.class)
                    .hasMessageContaining("waited 700 ms for command [sh, -c, echo not yet >&2; exit 1] to succeed")
                    .hasMessageContaining("exited with status 1")
                    .hasMessageContaining("not yet");
        }
    }

    @Test
    void aLogLineWaitHearsLinesWrittenBeforeAndAfterItStarted() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            BackgroundProcess server = c.execInBackground("sh", "-c", "echo booting; sleep 0.3; echo 'listening on :8080' >&2; sleep 30");
            c.waitFor(Wait.forLogLine("listening on :\\d+").within(START));
            c.waitFor(Wait.forLogLine("^booting$").within(START));
            assertThat(server.awaitLine("listening on :(\\d+)", START)).isEqualTo("listening on :8080");
            assertThat(server.recentLines()).containsExactly(
                    new OutputLine(OutputLine.Source.STDOUT, "booting"), new OutputLine(OutputLine.Source.STDERR, "listening on :8080"));
            assertThatThrownBy(() -> server.awaitLine("never", Duration.ofMillis(300)))
                    .isInstanceOf(ContainerException.class)
                    .hasMessageContaining("wrote no line matching \"never\" within 300 ms")
                    .hasMessageContaining("(running)")
                    .hasMessageContaining("err| listening on :8080");
        }
    }

    @Test
    void aLineWaitThatFailsShowsWhatWasWrittenWithoutANewline() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            BackgroundProcess prompt = c.execInBackground("sh", "-c", "printf 'password: '; sleep 30");
            assertThatThrownBy(() -> prompt.awaitLine("ready", Duration.ofMillis(500)))
                    .hasMessageContaining("(running), no whole line yet:\n    out| password:  (unfinished: no newline yet)");
        }
    }

    @Test
    void lineConsumersGetEveryLineInOrderOffTheIoThread() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            BackgroundProcess counter = c.execInBackground("sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo \"line $i\"; i=$((i+1)); done; printf 'no newline at the end'");
            List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            List<String> threads = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch last = new CountDownLatch(1);
            counter.onLine(line -> {
                seen.add(line.text());
                threads.add(Thread.currentThread().getName());
                if (line.text().equals("no newline at the end")) {
                    last.countDown();
                }
            });
            assertThat(last.await(30, TimeUnit.SECONDS)).isTrue();
            // Lines kept from before the consumer came (the last 1000) and every later one, in order; the
            // count of those no longer kept first, if there were any.
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                expected.add("line " + i);
            }
            expected.add("no newline at the end");
            List<String> lines = new ArrayList<>(seen);
            if (!lines.get(0).equals("line 0")) {
                String first = expected.get(expected.size() - (lines.size() - 1));
                int notKept = Integer.parseInt(first.substring("line ".length()));
                assertThat(lines.remove(0)).startsWith("[containerized: " + notKept + " earlier lines were not kept: onLine came after them;");
            }
            assertThat(expected).endsWith(lines.toArray(String[]::new));
            assertThat(lines.size()).isGreaterThanOrEqualTo(1000);
            assertThat(threads).allSatisfy(t -> assertThat(t).startsWith("containerized-" + c.id() + "-lines-"));
        }
    }

    /**
     * A wait that a close ends says why the container was closed (its JUnit timeout, say), where it only
     * said that the output had ended or the container had.
     */
    @Test
    void aWaitEndedByACloseSaysWhyTheContainerWasClosed() throws Exception {
        for (int i = 0; i < 3; i++) { // each wait in a container of its own
            Container c = Container.start(ContainerSpec.builder().build());
            BackgroundProcess server = c.execInBackground("sh", "-c", "echo starting; exec sleep 100");
            java.util.concurrent.ScheduledExecutorService closer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            closer.schedule(() -> c.closeBecause("its @Containerized timeout of 300 ms passed"), 300, TimeUnit.MILLISECONDS);
            try {
                org.assertj.core.api.ThrowableAssert.ThrowingCallable waitThatACloseEnds = switch (i) {
                    case 0 -> () -> c.waitFor(Wait.forLogLine("never-comes").within(Duration.ofSeconds(20)));
                    case 1 -> () -> c.waitFor(Wait.forPort(9999).within(Duration.ofSeconds(20)));
                    default -> () -> server.awaitLine("never-comes", Duration.ofSeconds(20));
                };
                assertThatThrownBy(waitThatACloseEnds).as("wait " + i)
                        .hasMessageContaining("because its @Containerized timeout of 300 ms passed");
            } finally {
                closer.shutdown();
                assertThat(closer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
                c.close();
            }
        }
    }

    /** A slow consumer is not called on after its container's close (it went on for minutes, into later tests). */
    @Test
    void aSlowConsumerIsCutOffAtTheContainersClose() throws Exception {
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        Container c = Container.start(ContainerSpec.builder().build());
        c.execInBackground(Exec.of("sh", "-c", "i=0; while :; do echo line-$i; i=$((i+1)); done"), line -> {
            seen.add(line.text());
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(300);
        c.close();
        int atClose = seen.size();
        Thread.sleep(500);
        assertThat(seen.size()).as("lines handed over after close() returned: at most the one being handled").isLessThanOrEqualTo(atClose + 1);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("containerized-" + c.id() + "-lines-"));
    }

    /**
     * A consumer given with the command follows it from its first line, however fast the command writes
     * (up to the 10,000 lines a consumer may fall behind before it is told it lost some).
     */
    @Test
    void aConsumerGivenWithTheCommandGetsItsFirstLineAndOneGivenLateIsToldWhatItMissed() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            List<String> fromTheStart = java.util.Collections.synchronizedList(new ArrayList<>());
            BackgroundProcess seq = c.execInBackground(Exec.of("seq", "1", "5000"), line -> fromTheStart.add(line.text()));
            assertThat(seq.await().succeeded()).isTrue();
            List<String> late = java.util.Collections.synchronizedList(new ArrayList<>());
            seq.onLine(line -> late.add(line.text()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while ((fromTheStart.size() < 5000 || late.size() < 1001) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(fromTheStart).hasSize(5000).startsWith("1", "2", "3").endsWith("5000");
            assertThat(late).hasSize(1001).endsWith("5000");
            assertThat(late.get(0)).startsWith("[containerized: 4000 earlier lines were not kept: onLine came after them;");
            assertThat(late.get(1)).isEqualTo("4001");
        }
    }

    @Test
    void aConsumerGivenWithACommandThatCannotStartLeavesNoThread() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            java.util.function.Supplier<Long> deliveries = () -> Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("containerized-" + c.id() + "-lines-")).count();
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> c.execInBackground(Exec.of("true").user("no-such-user"), line -> { }))
                        .hasMessageContaining("no-such-user");
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (deliveries.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(deliveries.get()).isZero();
        }
    }

    /** A test's consumer fails as tests do, with an AssertionError: the lines keep coming to it. */
    @Test
    void aLineConsumerThatThrowsAnAssertionErrorStillGetsTheNextLines() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            BackgroundProcess counter = c.execInBackground("sh", "-c", "sleep 0.2; i=0; while [ $i -lt 50 ]; do echo \"line $i\"; i=$((i+1)); done");
            List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch last = new CountDownLatch(1);
            counter.onLine(line -> {
                seen.add(line.text());
                if (line.text().equals("line 49")) {
                    last.countDown();
                }
                throw new AssertionError("a consumer's own check failed at " + line.text());
            });
            assertThat(last.await(30, TimeUnit.SECONDS)).as("the last line reached the consumer").isTrue();
            assertThat(seen).hasSize(50);
        }
    }

    /** Listening TCP ports of the host (this JVM's network namespace). */
    private static java.util.Set<Integer> hostListening() {
        return ListeningPorts.in(Path.of("/proc/self/net"));
    }

    private static int readOrReset(Socket socket) {
        try {
            return socket.getInputStream().read();
        } catch (IOException reset) {
            return -1;
        }
    }
}
