package dev.containerized.container;

import dev.containerized.container.init.Frame;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A running container: new pid, mount, uts, ipc, net and cgroup namespaces, a copy-on-write root
 * filesystem and a pids and memory cgroup. Its init is PID 1; {@link #exec} runs commands beside it, any
 * number, also in the background. {@link #close()} ends every process in it and removes its cgroup and
 * state; nothing is left on the host.
 *
 * <pre>{@code
 * try (Container c = Container.start(ContainerSpec.builder().hostname("box").pidsLimit(20).build())) {
 *     ExecResult r = c.exec("hostname");   // r.stdout() is "box\n"
 * }
 * }</pre>
 */
public final class Container implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Container.class.getName());
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final int INIT_LOG_LIMIT = 64 * 1024;

    private final ContainerSpec spec;
    private final InitProcess init;
    private final DataOutputStream control;
    private final Map<Integer, BackgroundProcess> running = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final StringBuilder initLog = new StringBuilder();
    private volatile String endReason;
    private volatile String closeReason;

    private Container(ContainerSpec spec, InitProcess init) {
        this.spec = spec;
        this.init = init;
        this.control = new DataOutputStream(new BufferedOutputStream(init.process.stdin.orElseThrow()));
        daemon("containerized-events-" + init.id, this::readEvents);
        daemon("containerized-log-" + init.id, this::readInitLog);
    }

    /** Starts a container and returns once its init is ready for commands. */
    public static Container start(ContainerSpec spec) {
        InitProcess init = InitProcess.start(spec, Optional.empty(), InitLauncher.Io.CONTROL);
        Container container = new Container(spec, init);
        try {
            container.ready.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return container;
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            String why = init.state.setupError()
                    .map(error -> "container setup failed: " + error)
                    .orElseGet(() -> "the container's init did not get ready within " + READY_TIMEOUT.toSeconds()
                            + " s: " + e + "; init log: " + container.initLog());
            try {
                container.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new ContainerException(why, e);
        }
    }

    /**
     * Runs one command as PID 1 of a fresh container ({@code docker run} semantics) and returns how it
     * ended, with its output. The container is gone when this returns.
     */
    public static ExecResult run(ContainerSpec spec, String... argv) {
        return Pid1Run.captured(spec, List.of(argv));
    }

    /**
     * Runs one command as PID 1 with this process's stdin, stdout and stderr (a terminal stays a
     * terminal), and returns its exit status; a death by signal N reads as 128 + N.
     */
    public static int runInteractive(ContainerSpec spec, String... argv) {
        return Pid1Run.interactive(spec, List.of(argv));
    }

    /** Runs {@code argv}, waits at most the spec's exec timeout, and returns how it ended. */
    public ExecResult exec(String... argv) {
        return exec(spec.execTimeout(), argv);
    }

    /** Runs {@code argv}; after {@code timeout} it is killed and the result says it timed out. */
    public ExecResult exec(Duration timeout, String... argv) {
        return execInBackground(argv).await(timeout);
    }

    /** Starts {@code argv} and returns at once. */
    public BackgroundProcess execInBackground(String... argv) {
        if (argv.length == 0 || argv[0] == null || argv[0].isEmpty()) {
            throw new IllegalArgumentException("exec needs a command: the program and its arguments, such as exec(\"ps\", \"-ef\")");
        }
        for (String arg : argv) {
            if (arg == null || arg.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("exec arguments must not be null or hold NUL: " + Arrays.toString(argv));
            }
        }
        requireRunning();
        int id = nextId.incrementAndGet();
        BackgroundProcess process = new BackgroundProcess(this, id, List.of(argv), stats().oomKills());
        running.put(id, process);
        try {
            send(new Frame.Exec(id, List.of(argv)));
        } catch (ContainerException e) {
            running.remove(id);
            throw e;
        }
        return process;
    }

    /** The cgroup's figures now, or the last ones read before it was removed. */
    public CgroupStats stats() {
        return init.cgroup.stats();
    }

    public String id() {
        return init.id;
    }

    public String hostname() {
        return spec.hostname();
    }

    public ContainerSpec spec() {
        return spec;
    }

    /** The init's pid as the host sees it. */
    public long initPid() {
        return init.pid();
    }

    public boolean isRunning() {
        return !closed.get() && endReason == null && init.process.isAlive();
    }

    /**
     * The host's pids of every process in the container's pid namespace, its init included: what the
     * host sees of the container, to compare with what the container sees of itself.
     */
    public Set<Long> hostPids() {
        try {
            Path namespace = Files.readSymbolicLink(Path.of("/proc", Long.toString(initPid()), "ns", "pid"));
            try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
                return processes.filter(p -> p.getFileName().toString().matches("\\d+"))
                        .filter(p -> namespace.equals(pidNamespace(p)))
                        .map(p -> Long.valueOf(p.getFileName().toString()))
                        .collect(Collectors.toSet());
            }
        } catch (IOException e) {
            throw new ContainerException("cannot read the pid namespace of container " + id() + "'s init (pid "
                    + initPid() + "): " + e, e);
        }
    }

    private static Path pidNamespace(Path process) {
        try {
            return Files.readSymbolicLink(process.resolve("ns/pid"));
        } catch (IOException gone) {
            return null;
        }
    }

    /** The tail of the init's diagnostic log (its stderr). */
    public String initLog() {
        synchronized (initLog) {
            return initLog.toString();
        }
    }

    /** Ends every process of the container and removes its cgroup, mounts and state. Idempotent. */
    @Override
    public void close() {
        closeBecause("it was closed");
    }

    /**
     * Closes the container as {@link #close()} does; commands still running fail with a message that
     * gives {@code reason}, such as "its timeout of 30 s passed".
     */
    public void closeBecause(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeReason = reason;
        try {
            init.destroy();
        } finally {
            abandonAll("container " + id() + " ended because " + reason);
        }
    }

    private void abandonAll(String why) {
        running.values().forEach(p -> p.abandoned(why + " while " + p.command() + " ran"));
        running.clear();
    }

    void signal(int id, int signal) {
        send(new Frame.Signal(id, signal));
    }

    private void send(Frame frame) {
        synchronized (control) {
            try {
                Frame.write(control, frame);
            } catch (IOException e) {
                throw new ContainerException("container " + id() + " no longer takes commands: "
                        + Optional.ofNullable(endReason).orElse(e.toString()), e);
            }
        }
    }

    private void requireRunning() {
        if (closed.get()) {
            throw new ContainerException("container " + id() + " is closed");
        }
        if (endReason != null) {
            throw new ContainerException("container " + id() + " has ended: " + endReason);
        }
    }

    private void readEvents() {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(init.process.stdout.orElseThrow(), 1 << 16))) {
            Optional<Frame> frame;
            while ((frame = Frame.read(in)).isPresent()) {
                dispatch(frame.get());
            }
            endReason = "its init ended" + exitStatus();
        } catch (IOException e) {
            endReason = "its control channel broke: " + e.getMessage();
        }
        if (closeReason != null) {
            endReason = closeReason;
        }
        ready.completeExceptionally(new ContainerException(endReason));
        abandonAll("container " + id() + " ended because " + endReason);
    }

    private void dispatch(Frame frame) {
        if (frame instanceof Frame.Ready) {
            ready.complete(null);
        } else if (frame instanceof Frame.Started started) {
            Optional.ofNullable(running.get(started.id())).ifPresent(p -> p.started(started.pid()));
        } else if (frame instanceof Frame.Output output) {
            Optional.ofNullable(running.get(output.id())).ifPresent(p -> p.output(output.stream(), output.data()));
        } else if (frame instanceof Frame.Exited exited) {
            Optional.ofNullable(running.remove(exited.id())).ifPresent(p -> p.exited(exited.waitStatus()));
        } else {
            LOG.log(Level.WARNING, "unexpected frame from the init of {0}: {1}", id(), frame);
        }
    }

    private String exitStatus() {
        try {
            OptionalInt status = init.process.waitFor(Duration.ofSeconds(1));
            if (status.isPresent()) {
                return " (" + new WaitStatus(status.getAsInt()).describe() + ")";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    private void readInitLog() {
        byte[] buffer = new byte[4096];
        try (InputStream err = init.process.stderr.orElseThrow()) {
            int n;
            while ((n = err.read(buffer)) > 0) {
                synchronized (initLog) {
                    initLog.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    if (initLog.length() > INIT_LOG_LIMIT) {
                        initLog.delete(0, initLog.length() - INIT_LOG_LIMIT);
                    }
                }
            }
        } catch (IOException ignored) {
            // The init is gone; its log is what we have.
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public String toString() {
        return "Container[" + id() + ", hostname=" + hostname() + (isRunning() ? "" : ", ended") + "]";
    }
}
