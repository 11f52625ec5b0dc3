package dev.containerized.bench;

import dev.containerized.container.ContainerSpec;
import dev.containerized.container.host.ContainerPlan;
import dev.containerized.container.host.HostContainer;
import dev.containerized.container.net.ContainerNetwork;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * How fast the test JVM reaches a container's ports, each figure next to a direct loopback connection
 * on the host measured in the same run: absolute figures are noisy, the ratios are what to compare.
 * <ul>
 *   <li>throughput, both ways, of one connection through {@code hostPort} (host listener, relayed into
 *       the container), through {@code connect} (a socket of the container's loopback), and through
 *       {@code exposeHostPort} (a listener inside, relayed out to the host);</li>
 *   <li>connection setup: connect, then the server's first byte arrives, then close.</li>
 * </ul>
 * The server on every path is the same Java code ({@link Server}), listening on the host's loopback
 * for the reference and on the container's loopback (a socket made in its namespace) otherwise, so
 * the difference is the path. Not a test: it asserts nothing and CI does not run it.
 * <p>
 * Run: {@code mvn -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test
 * -Dmdep.outputFile=target/test-classpath.txt && java -cp target/classes:target/test-classes:$(cat
 * target/test-classpath.txt) dev.containerized.bench.NetworkBenchmark [MiB per transfer] [connections]}
 */
public final class NetworkBenchmark {
    private static final int CHUNK = 256 * 1024;
    private static final int PORT_IN_CONTAINER = 7000;

    public static void main(String[] args) throws Exception {
        long bytes = (args.length > 0 ? Long.parseLong(args[0]) : 512) << 20;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int transfers = 7;
        HostContainer container = HostContainer.start(ContainerPlan.of(ContainerSpec.builder().build()), false);
        try (Server direct = new Server(hostListener());
             Server inside = new Server(container.network().listen(PORT_IN_CONTAINER));
             Server exposedTarget = new Server(hostListener())) {
            ContainerNetwork network = container.network();
            int hostPort = network.hostPort(PORT_IN_CONTAINER);
            int exposedPort = network.exposeHostPort(exposedTarget.port(), 7001);
            Path directPath = () -> open(direct.port());
            Path viaHostPort = () -> open(hostPort);
            Path viaConnect = () -> network.connect(PORT_IN_CONTAINER);
            Path viaExposed = () -> network.connect(exposedPort);
            Path[] paths = {directPath, viaHostPort, viaConnect, viaExposed};
            String[] names = {"direct loopback on the host (reference)", "hostPort (host -> container)",
                    "connect (a socket of the container's loopback)", "exposeHostPort (container -> host)"};

            for (Path path : paths) { // warm up every path
                for (int i = 0; i < 3; i++) {
                    upload(path, 64L << 20);
                    download(path, 64L << 20);
                }
                for (int i = 0; i < 2000; i++) {
                    firstByte(path);
                }
            }
            double[] up = new double[paths.length];
            double[] down = new double[paths.length];
            double[] setup = new double[paths.length];
            double[] cpu = new double[paths.length];
            // Interleaved rounds, so a noisy moment of the machine hits every path alike.
            List<List<Double>> ups = lists(paths.length);
            List<List<Double>> downs = lists(paths.length);
            List<List<Double>> setups = lists(paths.length);
            List<List<Double>> cpus = lists(paths.length);
            for (int round = 0; round < transfers; round++) {
                for (int p = 0; p < paths.length; p++) {
                    Path path = paths[p];
                    long cpu0 = cpuNanos();
                    ups.get(p).add(bytes / seconds(() -> upload(path, bytes)));
                    downs.get(p).add(bytes / seconds(() -> download(path, bytes)));
                    cpus.get(p).add((cpuNanos() - cpu0) / 1e9 / (2.0 * bytes / (1L << 30)));
                    List<Double> times = new ArrayList<>();
                    for (int i = 0; i < connections / transfers; i++) {
                        times.add(seconds(() -> firstByte(path)));
                    }
                    setups.get(p).add(median(times));
                }
            }
            for (int p = 0; p < paths.length; p++) {
                up[p] = median(ups.get(p));
                down[p] = median(downs.get(p));
                setup[p] = median(setups.get(p));
                cpu[p] = median(cpus.get(p));
            }
            System.out.printf(Locale.ROOT, "one connection, %d MiB each way, median of %d; setup: connect + first byte + close, median of %d%n",
                    bytes >> 20, transfers, connections / transfers * transfers);
            System.out.printf(Locale.ROOT, "%-48s %12s %7s %12s %7s %11s %7s %12s %7s%n", "path", "upload MB/s", "ratio",
                    "download MB/s", "ratio", "setup us", "ratio", "CPU s/GiB", "ratio");
            for (int p = 0; p < paths.length; p++) {
                System.out.printf(Locale.ROOT, "%-48s %12.0f %7.2f %12.0f %7.2f %11.1f %7.2f %12.3f %7.2f%n", names[p],
                        up[p] / 1e6, up[p] / up[0], down[p] / 1e6, down[p] / down[0], setup[p] * 1e6, setup[p] / setup[0],
                        cpu[p], cpu[p] / cpu[0]);
            }
            System.out.printf(Locale.ROOT, "load average during the run: %s%n", java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip());
        } finally {
            container.close("the benchmark ended");
        }
    }

    /** A way to open a connection to the benchmark's server. */
    private interface Path {
        SocketChannel open() throws IOException;
    }

    private static ServerSocketChannel hostListener() throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET);
        listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 512);
        return listener;
    }

    private static SocketChannel open(int port) throws IOException {
        return SocketChannel.open(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
    }

    /** Writes {@code bytes}, half-closes, and waits for the server's one-byte receipt. */
    private static void upload(Path path, long bytes) throws IOException {
        try (SocketChannel socket = path.open()) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
            readFully(socket, ByteBuffer.allocate(1));
            socket.write(ByteBuffer.wrap(new byte[] {'U'}));
            for (long left = bytes; left > 0; ) {
                buffer.clear().limit((int) Math.min(CHUNK, left));
                left -= socket.write(buffer);
            }
            socket.shutdownOutput();
            readFully(socket, ByteBuffer.allocate(1));
        }
    }

    /** Asks for {@code bytes} and reads them all. */
    private static void download(Path path, long bytes) throws IOException {
        try (SocketChannel socket = path.open()) {
            readFully(socket, ByteBuffer.allocate(1));
            socket.write(ByteBuffer.allocate(9).put((byte) 'D').putLong(bytes).flip());
            ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
            long got = 0;
            int n;
            while ((n = socket.read(buffer.clear())) >= 0) {
                got += n;
            }
            if (got != bytes) {
                throw new IOException("downloaded " + got + " of " + bytes + " bytes");
            }
        }
    }

    private static void firstByte(Path path) throws IOException {
        try (SocketChannel socket = path.open()) {
            readFully(socket, ByteBuffer.allocate(1));
        }
    }

    private static void readFully(SocketChannel socket, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (socket.read(buffer) < 0) {
                throw new IOException("the server closed the connection early");
            }
        }
    }

    /**
     * Says one byte on accept, then serves one request: 'U' reads to the end and answers one byte, 'D'
     * and a length sends that many bytes. One connection at a time, on its own thread.
     */
    private static final class Server implements AutoCloseable {
        private final ServerSocketChannel listener;
        private final Thread thread;

        Server(ServerSocketChannel listener) {
            this.listener = listener;
            this.thread = new Thread(this::serve, "benchmark-server-" + port());
            this.thread.setDaemon(true);
            this.thread.start();
        }

        int port() {
            return listener.socket().getLocalPort();
        }

        private void serve() {
            ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
            while (listener.isOpen()) {
                try (SocketChannel socket = listener.accept()) {
                    socket.write(ByteBuffer.wrap(new byte[] {'>'}));
                    ByteBuffer request = ByteBuffer.allocate(1);
                    if (socket.read(request) <= 0) {
                        continue;
                    }
                    if (request.get(0) == 'U') {
                        while (socket.read(buffer.clear()) >= 0) {
                            // count nothing: the client knows what it sent
                        }
                        socket.write(ByteBuffer.wrap(new byte[] {'.'}));
                    } else {
                        ByteBuffer length = ByteBuffer.allocate(8);
                        readFully(socket, length);
                        for (long left = length.flip().getLong(); left > 0; ) {
                            buffer.clear().limit((int) Math.min(CHUNK, left));
                            left -= socket.write(buffer);
                        }
                    }
                } catch (IOException e) {
                    if (listener.isOpen()) {
                        e.printStackTrace();
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }

    private interface Timed {
        void run() throws Exception;
    }

    private static double seconds(Timed task) {
        try {
            long t0 = System.nanoTime();
            task.run();
            return (System.nanoTime() - t0) / 1e9;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** CPU time of this whole process: client, relay and server threads, and the kernel's work on their behalf. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static List<List<Double>> lists(int n) {
        List<List<Double>> lists = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lists.add(new ArrayList<>());
        }
        return lists;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
