package dev.containerized.container.host;

import dev.containerized.container.CgroupStats;
import dev.containerized.container.ContainerException;
import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.cgroup.ContainerCgroup;
import dev.containerized.container.net.ContainerNetwork;
import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.linux.Unistd;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything one container holds on the host: its state directory, its cgroup, its thread (and with it
 * PID 1 and the namespaces), and its I/O thread. Acquired in that order, each phase registering its
 * undo, and released in reverse (but for the I/O thread's end, awaited last), after a failed start and
 * at close alike. The thread starts first and makes the namespaces meanwhile; it is registered once it
 * is ready, and abandoned if the state directory or the cgroup cannot be made.
 */
public final class HostContainer {
    private static final System.Logger LOG = System.getLogger(HostContainer.class.getName());
    private static final Duration TEARDOWN = Duration.ofSeconds(10);
    private static final AtomicBoolean SWEPT = new AtomicBoolean();
    /** The reason Container.close() gives: "container X is closed" says it already. */
    private static final String PLAIN_CLOSE = "it was closed";
    /** An empty cgroup younger than this may be a container of any run on this host being started. */
    private static final Duration MINIMUM_CGROUP_AGE = Duration.ofMinutes(1);

    private final String id;
    private final ContainerPlan plan;
    private final Undo undo;
    private final ContainerCgroup cgroup;
    private final ContainerThread thread;
    private final ContainerIo io;
    private final ContainerNetwork network;
    private final AtomicInteger nextCommand = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Counted down once the first close's teardown is over, which a close on another thread meanwhile awaits. */
    private final CountDownLatch tornDown = new CountDownLatch(1);
    private volatile Thread closer;
    private volatile String closeReason;

    private final ContainerFiles files;
    private final ContainerUsers users;

    private HostContainer(String id, ContainerPlan plan, Undo undo, ContainerCgroup cgroup, ContainerThread thread,
                          boolean pid1Run) {
        this.id = id;
        this.plan = plan;
        this.undo = undo;
        this.cgroup = cgroup;
        this.thread = thread;
        // The container's root, held from here on: PID 1 is this JVM's child, not yet reaped, so its pid is
        // its own now, where later (PID 1 ended, as a failed command-as-PID-1 does) it may be another's.
        BoundFiles bound = BoundFiles.of(plan.mounts()); // before the root is opened: nothing to close if it throws
        this.files = undo.acquire("close the container's root", () -> new ContainerFiles(ContainerFiles.openRootOf(thread.pid(), id), id,
                        bound, plan.limits().memoryMaxBytes()),
                ContainerFiles::close);
        this.users = new ContainerUsers(files, id);
        undo.add("close the upper layer", thread.upper()::close);
        // The I/O thread ends by itself once every process of the container is gone (their pipes, PID 1's
        // socket and log reach end of file); awaited last, its end overlaps the cgroup's and the state
        // directory's removal.
        this.io = undo.acquireReleasedLast("await the I/O thread's end",
                () -> new ContainerIo(id, thread.channel(), thread.events(), thread.log(), this::endReason, pid1Run),
                started -> started.awaitEnd(TEARDOWN));
        this.network = undo.acquire("close the container's ports", () -> new ContainerNetwork(id, thread::inContainerNamespaces),
                ContainerNetwork::close);
    }

    /**
     * Starts a container and returns once its PID 1 takes requests; {@code pid1Run} for a container whose
     * PID 1 will become one command. A failure leaves nothing behind.
     */
    public static HostContainer start(ContainerPlan plan, boolean pid1Run) {
        HostSupport.requireRoot();
        if (Thread.currentThread().isInterrupted()) { // as a blocking call would: the caller is being stopped
            throw new ContainerException("interrupted before the container could start (a test timeout?); the interrupt is kept");
        }
        CgroupLayout layout = HostSupport.cgroupLayout();
        if (SWEPT.compareAndSet(false, true)) {
            removeWhatDeadRunsLeft(layout);
        }
        String id = ContainerIds.next();
        Undo undo = new Undo();
        StartTrace trace = new StartTrace("start of " + id);
        // The thread makes namespaces and mounts while this one makes what it needs: the state directory
        // the overlay goes in, and the cgroup PID 1 joins.
        ContainerThread thread = ContainerThread.begin(new ContainerThread.Setup(id, plan.hostname(), plan.mounts(), true,
                plan.confinement(), plan.workingDirectory(), plan.makeWorkingDirectory(), plan.terminal()));
        try {
            ContainerCgroup cgroup;
            try {
                StateDirectory state = undo.acquire("delete the state directory", () -> StateDirectory.create(id, plan.mounts().writableLayer()),
                        StateDirectory::delete);
                if (plan.mounts().writableLayer() == WritableLayer.STATE_DIRECTORY) {
                    prepareStateDirectory(state, plan);
                }
                trace.mark("state");
                FaultInjection.reached(FaultInjection.Phase.STATE_DIRECTORY, id);
                thread.useStateDirectory(state.path());
                // Removed aside, while the state directory is deleted: neither needs the other.
                cgroup = undo.acquireReleasedAside("remove the cgroup", () -> createCgroup(layout, id, plan), c -> {
                    c.destroy(TEARDOWN);
                    FaultInjection.reached(FaultInjection.Phase.CLOSE_CGROUP_REMOVED, id);
                });
                trace.mark("cgroup");
                FaultInjection.reached(FaultInjection.Phase.CGROUP, id);
            } catch (RuntimeException | Error e) {
                thread.abandon(e);
                throw e;
            }
            thread.placeIn(new ContainerThread.CgroupPlacement(cgroup.joinFiles(), cgroup.cgroupfs()));
            // Registered after the cgroup's removal, so undone before it: PID 1 leaves the cgroup empty.
            undo.acquire("end PID 1", thread::awaitReady, HostContainer::endPid1);
            // The thread ends by itself once it reaped PID 1: its exit overlaps the rest of the teardown.
            undo.addLast("await the container thread's end", () -> thread.join(TEARDOWN));
            trace.mark("thread");
            HostContainer container = new HostContainer(id, plan, undo, cgroup, thread, pid1Run);
            OpenContainers.add(container);
            trace.mark("io");
            trace.print();
            return container;
        } catch (RuntimeException | Error e) { // an Error too: the container is half made, and nobody else holds it
            try {
                undo.close();
            } catch (RuntimeException | Error cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private static void prepareStateDirectory(StateDirectory state, ContainerPlan plan) {
        try {
            RootfsMounts.prepareStateDirectory(state.path(), plan.mounts());
        } catch (UncheckedIOException e) {
            throw new ContainerException("cannot prepare the overlay's directories in the state directory: " + e.getMessage()
                    + " (set -D" + StateDirectory.BASE_PROPERTY + "=DIR to use another place)", e);
        }
    }

    private static ContainerCgroup createCgroup(CgroupLayout layout, String id, ContainerPlan plan) {
        try {
            return ContainerCgroup.create(layout, id, plan.limits());
        } catch (RuntimeException e) {
            throw new ContainerException("cannot create the container's cgroup: " + e.getMessage(), e);
        }
    }

    /**
     * What runs that died left behind, as the first start of a JVM removes it. Housekeeping: what it
     * cannot remove is a warning, never a reason for this run's containers not to start.
     */
    private static void removeWhatDeadRunsLeft(CgroupLayout layout) {
        removeWhatDeadRunsLeft(layout, MINIMUM_CGROUP_AGE); // it logs what it cannot remove, and throws nothing
    }

    /**
     * State directories whose owner is gone (nobody holds their lock), and cgroups of ours that are
     * empty and older than {@code minimumCgroupAge}: nothing alive is touched, nothing is killed.
     * Returns how many directories it removed.
     */
    public static int removeWhatDeadRunsLeft(CgroupLayout layout, Duration minimumCgroupAge) {
        if (minimumCgroupAge.compareTo(MINIMUM_CGROUP_AGE) < 0) {
            throw new IllegalArgumentException("a minimum cgroup age of " + minimumCgroupAge + " is less than a minute: an empty "
                    + "cgroup younger than that may be another run's container in the moment before its PID 1 joins it; "
                    + "to sweep a dead run's cgroups sooner in a test, make them look older (set their modification time)");
        }
        // Housekeeping for others' leftovers: it must never stop this container from starting.
        int removed = 0;
        try {
            removed += StateDirectory.removeDeadOnes();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove all that dead runs left in " + StateDirectory.base() + ": " + e.getMessage(), e);
        }
        try {
            removed += ContainerCgroup.removeDeadOnes(layout, minimumCgroupAge);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove the empty cgroups of dead runs: " + e.getMessage(), e);
        }
        return removed;
    }

    private static void endPid1(ContainerThread thread) {
        thread.kill();
        if (thread.awaitExit(TEARDOWN).isEmpty()) {
            throw new ContainerException("PID 1 of the container did not end within " + TEARDOWN.toSeconds() + " s of SIGKILL");
        }
    }

    public String id() {
        return id;
    }

    public ContainerPlan plan() {
        return plan;
    }

    /**
     * PID 1's pid on the host; refused once the container is closed or PID 1 has ended (and was reaped),
     * when the kernel may have given that pid to another process.
     */
    public long pid1() {
        if (closed.get() || thread.hasEnded()) {
            throw new ContainerException("container " + id + (closed.get() ? " is closed" : " has ended") + ": its PID 1 is gone, "
                    + "and the pid it had may be another process's by now");
        }
        return thread.pid();
    }

    /** Its ports: connections into it, host ports forwarded into it, host ports exposed inside it. */
    public ContainerNetwork network() {
        return network;
    }

    public CgroupStats stats() {
        return cgroup.stats();
    }

    /** Nobody will ask for {@link #stats()} after {@link #close}: it then removes the cgroup without reading them. */
    public void forgoFinalFigures() {
        cgroup.forgoFinalFigures();
    }

    public String initLog() {
        return io.initLog();
    }

    public boolean isRunning() {
        return !closed.get() && io.ended() == null && !thread.hasEnded();
    }

    /** Starts {@code request}; its result arrives on the returned command. */
    public RunningCommand exec(ExecRequest request) {
        requireRunning();
        return send(request, Pid1Protocol.EXEC);
    }

    /** PID-1 runs: PID 1 becomes the command. */
    RunningCommand becomeCommand(ExecRequest request) {
        return send(request, Pid1Protocol.EXEC_SELF);
    }

    /** PID-1 runs on a terminal: PID 1 becomes the command, with the container's own pty as its stdio. */
    RunningCommand becomeCommandOnTerminal(ExecRequest request, Fd ptySlave) {
        RunningCommand command = newCommand(request, 0);
        io.register(command);
        try {
            thread.channel().send(request.encode(Pid1Protocol.EXEC_SELF, command.id(), Pid1Protocol.SETCTTY),
                    ptySlave, ptySlave, ptySlave);
        } catch (LinuxException e) {
            io.unregister(command);
            command.abandoned("container " + id + " ended before its command started: " + e.getMessage());
        }
        return command;
    }

    /** The master side of the container's own pty, made when the plan asked for a terminal. */
    Fd terminal() {
        return thread.terminal();
    }

    private RunningCommand newCommand(ExecRequest request, int streams) {
        return newCommand(nextCommand.incrementAndGet(), request, streams);
    }

    private RunningCommand newCommand(int id, ExecRequest request, int streams) {
        return new RunningCommand(id, request.argv(),
                new RunningCommand.FailureContext(request.pathVariable(), plan.limits().pidsMax().orElse(-1), request.workingDirectory(),
                        files::firstBytes),
                cgroup::oomKills, request.outputLimit(), request.outputCharset(), request.listener(), streams);
    }

    private RunningCommand send(ExecRequest request, int type) {
        int commandId = nextCommand.incrementAndGet();
        byte[] message = request.encode(type, commandId, 0);
        if (message.length - Pid1Protocol.HEADER > Pid1Protocol.MAX_PAYLOAD) {
            // Far more than execve takes (6 MiB at most): the kernel's answer, without troubling PID 1.
            RunningCommand refused = newCommand(commandId, request, 0);
            refused.failed(Pid1Protocol.STAGE_EXEC, Errno.E2BIG);
            return refused;
        }
        RunningCommand command = newCommand(commandId, request, 2);
        Fd[] stdin = request.stdin().map(s -> s.open()).orElseGet(Unistd::pipe);
        Fd[] stdout = Unistd.pipe();
        Fd[] stderr = Unistd.pipe();
        io.register(command, stdout[0], stderr[0]);
        try {
            thread.channel().send(message, stdin[0], stdout[1], stderr[1]);
        } catch (LinuxException e) {
            io.unregister(command);
            String ended = closeReason != null ? closeReason : io.ended();
            command.abandoned("container " + id + " no longer takes commands: " + (ended != null ? ended : e.getMessage()));
        } finally {
            stdin[0].close();
            stdout[1].close();
            stderr[1].close();
            request.stdin().ifPresentOrElse(s -> s.feed(stdin[1], command), stdin[1]::close);
        }
        return command;
    }

    /** The uid, gid and groups of a {@code docker exec --user} spelling, from the container's own files. */
    public ContainerUsers.Identity resolveUser(String user) {
        return users.resolve(user);
    }

    public void copyTo(java.nio.file.Path source, String target) {
        requireRunning();
        files.copyTo(source, target);
        requireNotClosedDuring("copyTo");
    }

    public void write(byte[] content, String target) {
        requireRunning();
        files.write(content, target, 0644);
    }

    public void copyFrom(String source, java.nio.file.Path target) {
        requireRunning();
        files.copyFrom(source, target);
        requireNotClosedDuring("copyFrom");
    }

    /**
     * A copy a close on another thread overlapped walked a root whose upper layer was being deleted under
     * it: it may have copied part of the tree, and must not pass for whole.
     */
    private void requireNotClosedDuring(String operation) {
        if (closed.get()) {
            throw new ContainerException("container " + id + " was closed while " + operation + " ran (by another thread: a timeout?), "
                    + "so the copy may be incomplete");
        }
    }

    public byte[] readFile(String path) {
        requireRunning();
        return files.read(path);
    }

    /** What the container changed in its root filesystem, as docker diff lists it. */
    public List<dev.containerized.container.Change> changes() {
        requireRunning();
        java.util.Set<String> mountPoints = new java.util.HashSet<>(List.of("/proc", "/dev", "/sys", "/tmp", "/run"));
        plan.mounts().mounts().forEach(m -> mountPoints.add(m.target()));
        List<dev.containerized.container.Change> changes = new ContainerChanges(thread.upper(), plan.mounts().lowerDirsTopFirst(),
                mountPoints).list();
        requireNotClosedDuring("changes()");
        return changes;
    }

    public void signal(RunningCommand command, int signal) {
        if (!command.isAlive() || !isRunning()) {
            return;
        }
        try {
            thread.channel().send(Pid1Protocol.signal(command.id(), signal));
        } catch (LinuxException e) {
            // PID 1 is gone, and the command with it.
        }
    }

    /** PID 1's wait status, once it ended within {@code timeout}. */
    OptionalInt awaitPid1(Duration timeout) {
        return thread.awaitExit(timeout);
    }

    void killPid1() {
        thread.kill();
    }

    <T> T inContainerNamespaces(java.util.concurrent.Callable<T> task) throws Exception {
        return thread.inContainerNamespaces(task);
    }

    /**
     * Ends every process of the container and removes its cgroup, mounts and state. Idempotent: a close
     * while another thread's runs returns once that one is over (see {@link #awaitTeardown}).
     */
    public void close(String reason) {
        if (!closed.compareAndSet(false, true)) {
            awaitTeardown();
            return;
        }
        closer = Thread.currentThread();
        closeReason = reason;
        try {
            try {
                thread.kill();
                FaultInjection.reached(FaultInjection.Phase.CLOSE_PID1_KILLED, id);
            } finally {
                undo.close();
            }
        } finally {
            OpenContainers.remove(this); // counted down whatever failed: a close waiting on this one must not wait forever
            tornDown.countDown();
        }
    }

    /**
     * Waits for the teardown another thread runs: a caller of close expects the container gone once it
     * returns (a test checking for leftovers, the test's own close beside its JUnit timeout's). Not on the
     * container's own threads, whose end that teardown awaits, nor on the closing one; an interrupt is
     * kept for after the wait, which the teardown's own time limits bound.
     */
    private void awaitTeardown() {
        if (thread.isCurrentThread() || io.isCurrentThread() || Thread.currentThread() == closer) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                tornDown.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void requireRunning() {
        if (closed.get()) {
            String reason = closeReason;
            throw new ContainerException("container " + id + " is closed"
                    + (reason == null || reason.equals(PLAIN_CLOSE) ? "" : " (" + reason + ")"));
        }
        String ended = io.ended();
        if (ended != null) {
            throw new ContainerException("container " + id + " has ended: " + ended);
        }
    }

    /**
     * Why the container ended, for a message that follows "ended because": the reason it was closed for
     * ("it was closed", "its @Containerized timeout of 2000 ms passed") or how its PID 1 ended; empty
     * while it runs.
     */
    public java.util.Optional<String> whyEnded() {
        if (closed.get()) {
            String reason = closeReason;
            return java.util.Optional.of(reason != null ? reason : PLAIN_CLOSE);
        }
        return java.util.Optional.ofNullable(io.ended());
    }

    /** Why the container ended: the reason it was closed for, or how its PID 1 ended. */
    private String endReason() {
        if (closeReason != null) {
            return closeReason;
        }
        OptionalInt status = thread.awaitExit(Duration.ofSeconds(1));
        return "its PID 1 ended" + (status.isPresent() ? " (" + new WaitStatus(status.getAsInt()).describe() + ")" : "");
    }

    /**
     * Every host pid of the container's pid namespace, PID 1 included; none once it ended, when PID 1's
     * pid may already be another process's (whose namespace, the host's perhaps, is not the container's).
     */
    public List<Long> hostPids() {
        if (!isRunning()) {
            return List.of();
        }
        return HostSupport.pidsInNamespaceOf(thread.pid()); // not pid1(): a close meanwhile gives the empty list
    }

    @Override
    public String toString() {
        return "container " + id;
    }
}
