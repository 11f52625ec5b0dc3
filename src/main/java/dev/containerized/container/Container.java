package dev.containerized.container;

import dev.containerized.container.host.ContainerPlan;
import dev.containerized.container.host.ContainerUsers;
import dev.containerized.container.host.ExecRequest;
import dev.containerized.container.host.HostContainer;
import dev.containerized.container.host.Pid1Runs;
import dev.containerized.container.host.RunningCommand;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A running container: new pid, mount, uts, ipc, net and cgroup namespaces, a copy-on-write root
 * filesystem and a pids and memory cgroup. Its PID 1 is Containerized's own small init, which starts
 * every command {@link #exec} asks for, any number, also in the background, and reaps orphans.
 * {@link #close()} ends every process in it and removes its cgroup and state; nothing is left on the host.
 *
 * <pre>{@code
 * try (Container c = Container.start(ContainerSpec.builder().hostname("box").pidsLimit(20).build())) {
 *     ExecResult r = c.exec("hostname");   // r.stdout() is "box\n"
 * }
 * }</pre>
 */
public final class Container implements AutoCloseable {
    private final ContainerSpec spec;
    private final HostContainer host;
    private final CommandRegistry commands = new CommandRegistry();
    private final LineDeliveries lineDeliveries = new LineDeliveries();

    private Container(ContainerSpec spec, HostContainer host) {
        this.spec = spec;
        this.host = host;
    }

    /** Starts a container and returns once its PID 1 is ready for commands. */
    public static Container start(ContainerSpec spec) {
        return new Container(spec, HostContainer.start(ContainerPlan.of(spec), false));
    }

    /**
     * Runs one command as PID 1 of a fresh container ({@code docker run} semantics) and returns how it
     * ended, with its output. It is killed after the spec's exec timeout. The container is gone when
     * this returns.
     */
    public static ExecResult run(ContainerSpec spec, String... argv) {
        ContainerPlan plan = ContainerPlan.of(spec);
        return Pid1Runs.captured(plan, pid1Request(spec, plan, argv), spec.execTimeout());
    }

    /**
     * Runs one command as PID 1 with this process's stdin, stdout and stderr, and returns its exit
     * status; a death by signal N reads as 128 + N. On a terminal, the command gets a pseudo-terminal
     * of the container's own, relayed to this one; otherwise pipes. It never gets a host file.
     */
    public static int runInteractive(ContainerSpec spec, String... argv) {
        ContainerPlan plan = ContainerPlan.of(spec);
        return Pid1Runs.interactive(plan, pid1Request(spec, plan, argv));
    }

    /** The request that PID 1 becomes, its user resolved in the container once it exists. */
    private static Function<HostContainer, ExecRequest> pid1Request(ContainerSpec spec, ContainerPlan plan, String... argv) {
        return host -> request(spec, plan, pid1Command(spec, plan, argv), host::resolveUser);
    }

    /** docker run's rule: an image's Entrypoint, then the arguments given, or the image's Cmd without them. */
    private static Exec pid1Command(ContainerSpec spec, ContainerPlan plan, String... argv) {
        if (argv.length == 0 && spec.image().isPresent()) {
            List<String> command = plan.pid1Command(List.of());
            if (command.isEmpty()) {
                throw new IllegalArgumentException("run needs a command: the image " + spec.image().get()
                        + " has no Entrypoint or Cmd; give one, such as run(spec, \"/bin/sh\", \"-c\", \"echo $$\")");
            }
            return Exec.of(command.toArray(String[]::new));
        }
        Exec given = Exec.of(argv);
        return Exec.of(plan.pid1Command(given.argv()).toArray(String[]::new));
    }

    /**
     * Runs one command as PID 1 with this process's stdin, stdout and stderr, as
     * {@link #runInteractive(ContainerSpec, String...)} does, kills the whole container once {@code timeout}
     * passed since its start (the result then says it timed out), and returns how the command ended with
     * the cgroup's figures after its end: peaks, refused forks and OOM kills, for a check of the limits.
     */
    public static RunResult runInteractive(ContainerSpec spec, Duration timeout, String... argv) {
        ContainerSpec.checkTimeout("timeout (the most time the container may run)", timeout, "Duration.ofMinutes(5)");
        ContainerPlan plan = ContainerPlan.of(spec);
        return Pid1Runs.interactive(plan, pid1Request(spec, plan, argv), timeout);
    }

    /** Runs {@code argv}, waits at most the spec's exec timeout, and returns how it ended. */
    public ExecResult exec(String... argv) {
        return exec(Exec.of(argv));
    }

    /** Runs {@code argv}; after {@code timeout} it is killed and the result says it timed out. */
    public ExecResult exec(Duration timeout, String... argv) {
        return exec(Exec.of(argv).timeout(timeout));
    }

    /**
     * Runs a command with its own environment, directory, user, stdin or timeout (see {@link Exec}),
     * waits for it and returns how it ended.
     */
    public ExecResult exec(Exec exec) {
        BackgroundProcess command = start(exec, OutputLines.none()); // waited for: no need of its lines
        try {
            return command.await(exec.timeout().orElse(spec.execTimeout()));
        } finally {
            commands.remove(command); // listed while it runs, not after
        }
    }

    /**
     * Starts {@code argv} and returns once it runs (its execve done), without waiting for its end. Its
     * output can be followed line by line while it runs ({@link BackgroundProcess#awaitLine},
     * {@link BackgroundProcess#onLine}), {@link #waitFor} can wait for a line of it, and
     * {@link #backgroundOutput()} shows its last lines.
     */
    public BackgroundProcess execInBackground(String... argv) {
        return execInBackground(Exec.of(argv));
    }

    /**
     * Starts a command with its own options and returns once it runs (or could not start); its timeout
     * applies to {@link BackgroundProcess#await()}.
     */
    public BackgroundProcess execInBackground(Exec exec) {
        return start(exec, new OutputLines("containerized-" + host.id(), exec.outputCharset(), lineDeliveries));
    }

    /**
     * As {@link #execInBackground(Exec)}, with {@code onLine} following its output from its first line (as
     * Testcontainers' log consumers do): a fast command may write more lines before
     * {@code execInBackground} returns than {@link BackgroundProcess#onLine} called then would still get.
     */
    public BackgroundProcess execInBackground(Exec exec, java.util.function.Consumer<OutputLine> onLine) {
        OutputLines lines = new OutputLines("containerized-" + host.id(), exec.outputCharset(), lineDeliveries);
        lines.subscribe(java.util.Objects.requireNonNull(onLine, "onLine"));
        try {
            return start(exec, lines);
        } catch (RuntimeException | Error e) {
            lines.end(); // its delivery thread would wait for lines that never come
            throw e;
        }
    }

    private BackgroundProcess start(Exec exec, OutputLines lines) {
        ExecRequest request = request(spec, host.plan(), exec, host::resolveUser);
        RunningCommand command = host.exec(lines.isEnded() ? request : request.withListener(lines));
        Duration timeout = exec.timeout().orElse(spec.execTimeout());
        BackgroundProcess process = commands.add(new BackgroundProcess(host, command, timeout, lines));
        // PID 1 forks each command and serves the next request meanwhile: wait until this one runs, so that
        // what the test does next (a pidof, a client of it) finds it. One that a process inside stopped
        // before its execve is killed at the command's timeout.
        if (!command.awaitStarted(timeout) && !Thread.currentThread().isInterrupted()) {
            process.kill();
        }
        return process;
    }

    /**
     * The commands running now and the last ones started in the background, in the order they started:
     * what a failed test's diagnostics show, with the tails of their output.
     */
    public List<BackgroundProcess> commands() {
        return commands.list();
    }

    /** What a command needs from the plan and its own options, with its user resolved in the container. */
    static ExecRequest request(ContainerSpec spec, ContainerPlan plan, Exec exec, Function<String, ContainerUsers.Identity> users) {
        Map<String, String> variables = new LinkedHashMap<>(plan.environment());
        variables.putAll(exec.env());
        Optional<ContainerUsers.Identity> identity = exec.user().or(plan::user).map(users);
        // Unless set, HOME is the user's (runc's rule): root's without a user, or from /etc/passwd.
        variables.putIfAbsent("HOME", identity.map(ContainerUsers.Identity::home).orElse(ContainerPlan.ROOT_HOME));
        List<String> env = new ArrayList<>();
        variables.forEach((name, value) -> env.add(name + "=" + value));
        return new ExecRequest(exec.argv(), env, exec.workingDirectory().orElse(plan.workingDirectory()),
                identity.map(ContainerUsers.Identity::uid), identity.map(ContainerUsers.Identity::gid),
                identity.map(ContainerUsers.Identity::groups).orElse(List.of()),
                exec.stdin().map(ExecRequest.Stdin::from), spec.outputLimitBytes(), RunningCommand.OutputListener.NONE, true,
                exec.outputCharset());
    }

    /**
     * Copies the host file or directory {@code hostPath} to {@code containerPath}, modes and times kept:
     * the path of the copy, made with its parents. A file there is replaced; a directory there takes a
     * file into it, under its own name, and a directory's entries merged into its own (docker cp would
     * put the directory inside it instead). For a file, a path ending in "/" names a directory, which
     * must be there, as with {@code docker cp}; a directory is copied to it as without the "/".
     */
    public void copyTo(Path hostPath, String containerPath) {
        host.copyTo(hostPath, containerPath);
    }

    /** Writes {@code content} as the file {@code containerPath} (mode 0644; replaced if there), making its parent directories. */
    public void copyTo(byte[] content, String containerPath) {
        host.write(content, containerPath);
    }

    /**
     * Copies the file or directory {@code containerPath} out to {@code hostPath}: the path of the copy, or
     * the directory a file goes into when it is one, as {@code docker cp} does. Without setuid and setgid
     * bits, and never through a host-side link that a copy brought out; see the README for the rest.
     */
    public void copyFrom(String containerPath, Path hostPath) {
        host.copyFrom(containerPath, hostPath);
    }

    /** The bytes of the file {@code containerPath} (up to 64 MiB; copyFrom for more). */
    public byte[] readFile(String containerPath) {
        return host.readFile(containerPath);
    }

    /** The file {@code containerPath} as UTF-8 text. */
    public String readString(String containerPath) {
        return new String(readFile(containerPath), StandardCharsets.UTF_8);
    }

    /**
     * What the container changed in its root filesystem so far, sorted by path, as {@code docker diff}
     * lists it: its overlay's upper layer. Mounts (tmpfs, bind) are not part of it.
     * <p>
     * The list is bounded, so that a container cannot take the test JVM's heap with names that cost it
     * far less (a little of its memory, or only disk): at most 100,000 entries and 64 MiB of paths.
     *
     * @throws ContainerException when the container changed more than that; list the directory the test
     *                            needs in the container instead ({@code exec("find", dir)})
     */
    public List<Change> changes() {
        return host.changes();
    }

    static void checkArgv(String... argv) {
        if (argv == null || argv.length == 0 || argv[0] == null || argv[0].isEmpty()) {
            throw new IllegalArgumentException("exec needs a command: the program and its arguments, such as exec(\"ps\", \"-ef\")");
        }
        for (String arg : argv) {
            if (arg == null || arg.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("exec arguments must not be null or hold NUL: " + Arrays.toString(argv));
            }
        }
    }

    /**
     * A socket connected to 127.0.0.1:{@code port} inside the container, in blocking mode, from the test
     * JVM; {@code connect(port).socket()} is the same connection as a {@link java.net.Socket} with streams.
     * The container needs no network of its own: the socket is made in its network namespace. It is
     * closed with the container, unless closed before.
     *
     * @throws ContainerException naming the container and the port when nothing listens there
     */
    public java.nio.channels.SocketChannel connect(int port) {
        return host.network().connect(port);
    }

    /**
     * A port on the host's 127.0.0.1 that forwards each connection to 127.0.0.1:{@code port} inside the
     * container: for clients that take a host and a port, such as a JDBC URL or an HTTP client
     * ({@code "http://127.0.0.1:" + container.hostPort(8080) + "/"}). The same port for the same
     * {@code port} each time; nothing listens on it any more once the container is closed.
     */
    public int hostPort(int port) {
        return host.network().hostPort(port);
    }

    /**
     * Makes a service of the test JVM, listening on the host's 127.0.0.1:{@code hostPort}, reachable
     * inside the container at 127.0.0.1:{@code hostPort} (a mock server the code under test calls).
     * <p>
     * Each connection is relayed through the test JVM (two of its descriptors), so the container's
     * processes may have 256 such connections open at once, all exposed ports together: one beyond is
     * reset as soon as it is made, and a warning says so once. A connection whose container side
     * ended (closed, or shut down its output) is cut once nothing moved on it for 30 s (an answer still
     * coming keeps it).
     *
     * @return the port inside the container
     * @throws ContainerException when something in the container listens on that port already
     */
    public int exposeHostPort(int hostPort) {
        return exposeHostPort(hostPort, hostPort);
    }

    /** As {@link #exposeHostPort(int)}, at 127.0.0.1:{@code containerPort} inside the container. */
    public int exposeHostPort(int hostPort, int containerPort) {
        return host.network().exposeHostPort(hostPort, containerPort);
    }

    /**
     * Waits until {@code wait} holds: a port accepts connections, a background command wrote a matching
     * line, or a health-check command succeeds.
     *
     * @throws ContainerException when it did not hold within the wait's timeout; the message says what
     *                            was waited for, what was seen last, and the last lines of the
     *                            container's background commands
     */
    public void waitFor(Wait wait) {
        Waiting.await(this, java.util.Objects.requireNonNull(wait, "wait"));
    }

    /**
     * What the container's commands said, for a failure report: for each one running and the last 16
     * started with {@link #execInBackground}, its command, whether it still runs or how it ended, and
     * its last 20 lines (stdout and stderr in the order they came, marked {@code out|} and
     * {@code err|}). Empty when none was started.
     */
    public String backgroundOutput() {
        return commands.describe();
    }

    /** Whether something listens on {@code port} in the container, seen from its /proc/net: no connection is made. */
    boolean acceptsConnections(int port) {
        if (!isRunning()) {
            throw new ContainerException("container " + id() + " ended" + host.whyEnded().map(why -> " because " + why).orElse("")
                    + " while waiting for port " + port + " to accept connections");
        }
        return dev.containerized.container.net.ListeningPorts.of(host.pid1()).contains(port);
    }

    CommandRegistry commandRegistry() {
        return commands;
    }

    /** Why the container ended, once it did: see {@link HostContainer#whyEnded}. */
    java.util.Optional<String> whyEnded() {
        return host.whyEnded();
    }

    /** The cgroup's figures now, or the last ones read before it was removed. */
    public CgroupStats stats() {
        return host.stats();
    }

    public String id() {
        return host.id();
    }

    public String hostname() {
        return spec.hostname();
    }

    public ContainerSpec spec() {
        return spec;
    }

    /**
     * PID 1's pid as the host sees it, while the container is open (once it is closed, a
     * {@link ContainerException}: the kernel may have given that pid to another process, which a test
     * signalling it would hit).
     */
    public long initPid() {
        return host.pid1();
    }

    public boolean isRunning() {
        return host.isRunning();
    }

    /**
     * The host's pids of every process in the container's pid namespace, PID 1 included: what the host
     * sees of the container, to compare with what the container sees of itself.
     */
    public Set<Long> hostPids() {
        return new LinkedHashSet<>(host.hostPids());
    }

    /** The tail of PID 1's own diagnostic log (its stderr); usually empty. */
    public String initLog() {
        return host.initLog();
    }

    /**
     * Ends every process of the container and removes its cgroup, mounts and state. Idempotent: a close
     * while another thread's close runs returns once that one is over. Line consumers
     * ({@link BackgroundProcess#onLine}) get up to a second to take the lines already there; after
     * that, none is called again.
     */
    @Override
    public void close() {
        closeBecause("it was closed");
    }

    /**
     * Closes the container as {@link #close()} does; commands still running fail with a message that
     * gives {@code reason}, such as "its timeout of 30 s passed".
     */
    public void closeBecause(String reason) {
        try {
            host.close(reason);
        } finally { // a teardown that failed still ends the consumers' calls
            lineDeliveries.finishAtClose();
        }
    }

    @Override
    public String toString() {
        return "Container[" + id() + ", hostname=" + hostname() + (isRunning() ? "" : ", ended") + "]";
    }
}
