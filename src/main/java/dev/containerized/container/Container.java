package dev.containerized.container;

import dev.containerized.container.host.ContainerPlan;
import dev.containerized.container.host.ExecRequest;
import dev.containerized.container.host.HostContainer;
import dev.containerized.container.host.Pid1Runs;
import dev.containerized.container.host.RunningCommand;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
        return Pid1Runs.captured(ContainerPlan.of(spec), request(spec, argv), spec.execTimeout());
    }

    /**
     * Runs one command as PID 1 with this process's stdin, stdout and stderr, and returns its exit
     * status; a death by signal N reads as 128 + N. On a terminal, the command gets a pseudo-terminal
     * of the container's own, relayed to this one; otherwise pipes. It never gets a host file.
     */
    public static int runInteractive(ContainerSpec spec, String... argv) {
        return Pid1Runs.interactive(ContainerPlan.of(spec), request(spec, argv));
    }

    /** Runs {@code argv}, waits at most the spec's exec timeout, and returns how it ended. */
    public ExecResult exec(String... argv) {
        return exec(spec.execTimeout(), argv);
    }

    /** Runs {@code argv}; after {@code timeout} it is killed and the result says it timed out. */
    public ExecResult exec(Duration timeout, String... argv) {
        BackgroundProcess.checkTimeout(timeout);
        return execInBackground(argv).await(timeout);
    }

    /** Starts {@code argv} and returns at once. */
    public BackgroundProcess execInBackground(String... argv) {
        RunningCommand command = host.exec(request(spec, argv));
        return new BackgroundProcess(host, command);
    }

    private static ExecRequest request(ContainerSpec spec, String... argv) {
        checkArgv(argv);
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : spec.environment().entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        return new ExecRequest(List.of(argv), env, spec.workingDirectory(), Optional.empty(), Optional.empty(), List.of(),
                Optional.empty(), spec.outputLimitBytes(), RunningCommand.OutputListener.NONE, true);
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

    /** PID 1's pid as the host sees it. */
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
        host.close(reason);
    }

    @Override
    public String toString() {
        return "Container[" + id() + ", hostname=" + hostname() + (isRunning() ? "" : ", ended") + "]";
    }
}
