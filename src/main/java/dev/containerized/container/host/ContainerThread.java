package dev.containerized.container.host;

import dev.containerized.container.ContainerException;
import dev.containerized.container.cgroup.CgroupfsMount;
import dev.containerized.container.confine.Confinement;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.linux.Mounts;
import dev.containerized.internal.linux.Network;
import dev.containerized.internal.linux.Poll;
import dev.containerized.internal.linux.Processes;
import dev.containerized.internal.linux.Sched;
import dev.containerized.internal.linux.Sockets;
import dev.containerized.internal.linux.Spawn;
import dev.containerized.internal.linux.Unistd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static dev.containerized.internal.linux.Sched.CLONE_FS;
import static dev.containerized.internal.linux.Sched.CLONE_NEWIPC;
import static dev.containerized.internal.linux.Sched.CLONE_NEWNET;
import static dev.containerized.internal.linux.Sched.CLONE_NEWNS;
import static dev.containerized.internal.linux.Sched.CLONE_NEWPID;
import static dev.containerized.internal.linux.Sched.CLONE_NEWUTS;

/**
 * A container's own platform thread in the test JVM. unshare(2) works per thread for these namespaces
 * and a thread's children inherit them, so the thread makes the container: new namespaces, its
 * filesystems (mounted here, in its new mount namespace), then PID 1, spawned from a sealed memfd. It
 * then leaves the container's mount namespace for the host's (no class of the JVM is ever looked up
 * in the container's files) while PID 1 pivots into the container's root.
 * <p>
 * It stays for the container's whole life: as PID 1's parent (PID 1 dies with it, PR_SET_PDEATHSIG,
 * and it reaps PID 1), and as the one thread in the container's network namespace, where a socket it
 * makes is a socket of the container's loopback. Never pooled, never virtual. After
 * unshare(CLONE_NEWPID) a thread cannot start threads, so it runs nothing but its own small loop.
 */
final class ContainerThread {
    private static final int NAMESPACES = CLONE_FS | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID;
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(30);
    /** Room enough for the Java code it runs; the default of 1 MiB (or 8) is mostly reserved, not used. */
    private static final long STACK_SIZE = 512 * 1024;

    /**
     * What the thread needs to make a container.
     *
     * @param cgroupNamespace whether PID 1 roots a cgroup namespace at the cgroup it joined
     */
    record Setup(String id, String hostname, MountPlan mounts, boolean cgroupNamespace,
                 Confinement confinement, String workingDirectory, boolean makeWorkingDirectory, boolean terminal) {
    }

    /**
     * The container's cgroup as PID 1 needs it, known once the starting thread made it.
     *
     * @param joinFiles the files PID 1 writes "0" to, to join it
     * @param cgroupfs  what PID 1 mounts at /sys/fs/cgroup once it rooted its cgroup namespace there
     */
    record CgroupPlacement(List<Path> joinFiles, List<CgroupfsMount> cgroupfs) {
    }

    private final Setup setup;
    private final Thread thread;
    private final CompletableFuture<Path> stateDirectory = new CompletableFuture<>();
    private final CompletableFuture<CgroupPlacement> cgroup = new CompletableFuture<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final ConcurrentLinkedQueue<FutureTask<?>> tasks = new ConcurrentLinkedQueue<>();
    private final Fd wakeup = Poll.eventFd();
    private final StringBuilder setupLog = new StringBuilder();
    /** Guards {@link #pidfd} and {@link #wakeup} against use after close: a closed number may be reused. */
    private final Object lock = new Object();
    private Fd pidfd;
    private boolean ended;
    private int pid;
    private Pid1Channel channel;
    private EventReader events;
    private Fd log;
    private Fd terminal;
    private Fd upper;
    /** The state directory once the starting thread made it: the overlay's directories go there (in memory, on a tmpfs over it). */
    private Path stateDir;

    private ContainerThread(Setup setup) {
        this.setup = setup;
        this.thread = new Thread(null, this::run, "containerized-" + setup.id(), STACK_SIZE);
        this.thread.setDaemon(true);
    }

    /**
     * Starts making the container: namespaces and mounts, while the caller makes the container's state
     * directory and cgroup (on two cores, that takes their time off every start). The thread waits for
     * {@link #useStateDirectory} before it mounts, and for {@link #placeIn} before it spawns PID 1; or
     * for {@link #abandon}. {@link #awaitReady} follows.
     */
    static ContainerThread begin(Setup setup) {
        ContainerThread container = new ContainerThread(setup);
        container.thread.start();
        return container;
    }

    /** The container's state directory, made and locked: the thread may now mount the overlay there. */
    void useStateDirectory(Path dir) {
        stateDirectory.complete(dir);
    }

    /** The cgroup PID 1 joins before anything of the container runs: the thread may now spawn it. */
    void placeIn(CgroupPlacement placement) {
        cgroup.complete(placement);
    }

    /**
     * The container will not start (its state directory or cgroup could not be made): the thread undoes
     * what it made, and this returns once it did.
     */
    void abandon(Throwable reason) {
        stateDirectory.completeExceptionally(reason);
        cgroup.completeExceptionally(reason);
        try {
            ready.join();
        } catch (java.util.concurrent.CompletionException expected) {
            // The thread reports the reason given back; the caller throws its own.
        }
        join(Duration.ofSeconds(10));
    }

    /**
     * Returns once PID 1 runs in the container's root and takes requests. On failure, what the thread
     * made is gone (PID 1 killed and reaped, the mount namespace with it) and the exception names the step.
     */
    ContainerThread awaitReady() {
        try {
            // Not interruptible: the thread finishes its setup (or its undoing) in milliseconds, and
            // leaving before it did would leave a container nobody holds.
            ready.join();
            return this;
        } catch (java.util.concurrent.CompletionException e) {
            join(Duration.ofSeconds(10));
            Throwable cause = e.getCause();
            if (cause instanceof SetupException se) {
                throw new ContainerException("container setup failed: " + se.getMessage(), se);
            }
            if (cause instanceof ContainerException ce) {
                throw ce;
            }
            throw new ContainerException("container setup failed: " + cause, cause);
        }
    }

    Pid1Channel channel() {
        return channel;
    }

    EventReader events() {
        return events;
    }

    /** The overlay's upper layer: what the container changed in its root filesystem. */
    Fd upper() {
        return upper;
    }

    /** The master side of the container's own pty, when the setup asked for one. */
    Fd terminal() {
        return terminal;
    }

    /** The read end of PID 1's log (its stderr). */
    Fd log() {
        return log;
    }

    Thread thread() {
        return thread;
    }

    /** PID 1's pid as the host sees it. */
    int pid() {
        return pid;
    }

    /** SIGKILL to PID 1, unless it has ended: the kernel then kills every process of the container. */
    void kill() {
        synchronized (lock) {
            if (pidfd != null && !pidfd.isClosed()) {
                Processes.signal(pidfd, Processes.SIGKILL);
            }
        }
    }

    /** PID 1's wait status, once it ended within {@code timeout}. */
    OptionalInt awaitExit(Duration timeout) {
        try {
            return OptionalInt.of(exit.get(RunningCommand.nanos(timeout), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        } catch (ExecutionException e) {
            throw new ContainerException("cannot wait for PID 1 of container " + setup.id() + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    boolean hasEnded() {
        return exit.isDone();
    }

    void join(Duration timeout) {
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs {@code task} on this thread, in the container's network, uts and ipc namespaces: a socket
     * made there is one of the container's loopback. Fails once PID 1 has ended.
     */
    <T> T inContainerNamespaces(Callable<T> task) throws Exception {
        FutureTask<T> future = new FutureTask<>(task);
        synchronized (lock) {
            if (ended) {
                throw new ContainerException("container " + setup.id() + " has ended");
            }
            tasks.add(future);
            Poll.wake(wakeup);
        }
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (java.util.concurrent.CancellationException e) {
            throw new ContainerException("container " + setup.id() + " ended before it could run the task", e);
        }
    }

    private void run() {
        try {
            makeContainer();
            ready.complete(null);
        } catch (Throwable e) {
            killAndReap();
            closeQuietly(log);
            closeQuietly(terminal);
            closeQuietly(upper);
            if (channel != null) {
                channel.close();
            }
            ready.completeExceptionally(e);
            end();
            return;
        }
        serve();
    }

    private void makeContainer() {
        List<AutoCloseable> held = new ArrayList<>();
        StartTrace trace = new StartTrace("start of " + setup.id());
        try {
            Fd hostMountNamespace = hold(held, Fcntl.open("/proc/thread-self/ns/mnt", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0));
            trace.mark("open");
            step("create namespaces", () -> Sched.unshare(NAMESPACES));
            trace.mark("unshare");
            makeRootPrivate();
            step("set the hostname", () -> Unistd.sethostname(setup.hostname()));
            step("bring up loopback", Network::loopbackUp);
            trace.mark("hostname+lo");
            stateDir = await(stateDirectory, "state directory");
            trace.mark("await-state");
            FaultInjection.reached(FaultInjection.Phase.UNSHARE, setup.id());
            HostDevices devices = hold(held, step("open the host's device nodes", HostDevices::new));
            RootfsMounts mounts = hold(held, new RootfsMounts(stateDir, setup.mounts(), devices));
            Fd procDirectory = hold(held, mounts.mountAllButProc());
            trace.mark("mounts");
            CgroupPlacement placement = await(cgroup, "cgroup");
            trace.mark("await-cgroup");
            List<Fd> joinFiles = new ArrayList<>();
            for (Path file : placement.joinFiles()) {
                joinFiles.add(hold(held, step("open " + file, () -> Fcntl.open(file.toString(), Fcntl.O_WRONLY | Fcntl.O_CLOEXEC, 0))));
            }
            List<Fd> cgroupfsDirectories = mounts.cgroupfsMountPoints(placement.cgroupfs());
            cgroupfsDirectories.forEach(fd -> hold(held, fd));
            trace.mark("cgroupfs");
            FaultInjection.reached(FaultInjection.Phase.MOUNTS, setup.id());
            // PID 1 starts in the container's root directory, which it makes its root with pivot_root.
            step("enter " + mounts.merged(), () -> Unistd.chdir(mounts.merged().toString()));
            spawnPid1(held);
            trace.mark("spawn");
            FaultInjection.reached(FaultInjection.Phase.PID1_SPAWNED, setup.id());
            List<Fd> configFds = new ArrayList<>(joinFiles);
            configFds.add(procDirectory);
            configFds.addAll(cgroupfsDirectories);
            channel.send(Pid1Protocol.config(setup.cgroupNamespace(), joinFiles.size(), placement.cgroupfs(),
                    setup.confinement().lastCap(), setup.confinement().capabilities(), setup.confinement().seccomp()),
                    configFds.toArray(Fd[]::new));
            awaitReady("configure", placement);
            trace.mark("pid1-config");
            FaultInjection.reached(FaultInjection.Phase.CONFIG, setup.id());
            if (setup.makeWorkingDirectory()) { // before finish() may make the root read-only
                mounts.makeWorkingDirectory(setup.workingDirectory());
            }
            mounts.finish();
            mounts.checkWorkingDirectory(setup.workingDirectory());
            trace.mark("masks");
            if (setup.terminal()) {
                terminal = step("open the container's pty", mounts::openPtyMaster);
            }
            upper = step("open the upper layer", mounts::openUpper);
            // Back to the host's mount namespace: root and working directory are the host's again.
            step("leave the container's mount namespace", () -> Sched.setns(hostMountNamespace, CLONE_NEWNS));
            trace.mark("setns");
            channel.send(Pid1Protocol.pivot());
            awaitReady("pivot_root", placement);
            trace.mark("pivot");
            FaultInjection.reached(FaultInjection.Phase.PIVOT, setup.id());
            trace.print();
        } finally {
            for (AutoCloseable resource : held) {
                try {
                    resource.close();
                } catch (Exception ignored) {
                    // Descriptors: closing cannot fail in a way that matters here.
                }
            }
        }
    }

    /** On systemd hosts "/" is shared: without this, every mount of the container would show up on the host. */
    private static void makeRootPrivate() {
        try {
            Mounts.mount(null, "/", null, Mounts.MS_REC | Mounts.MS_PRIVATE, null);
        } catch (LinuxException e) {
            if (e.errno() == dev.containerized.internal.linux.Errno.EINVAL) {
                throw new SetupException("make / private: " + e.getMessage() + ": this JVM's root is not a mount point, as in a "
                        + "chroot; run it where its root is its mount namespace's root: on the machine itself, in a container, "
                        + "or after unshare -m and pivot_root instead of chroot");
            }
            throw new SetupException("make / private", e);
        }
    }

    private void spawnPid1(List<AutoCloseable> held) {
        Fd[] socket = Sockets.streamPair();
        Fd[] logPipe = Unistd.pipe();
        hold(held, socket[1]);
        hold(held, logPipe[1]);
        channel = new Pid1Channel(socket[0]);
        events = new EventReader(socket[0]);
        log = logPipe[0];
        // fd 0: control socket, 1 and 2: log, 3: the init itself, executed through /proc/self/fd/3.
        int pid = step("start PID 1", () -> Spawn.spawn("/proc/self/fd/3", List.of(InitBinary.NAME), List.of(),
                new int[] {socket[1].number(), logPipe[1].number(), logPipe[1].number(), InitBinary.memfd().number()}));
        synchronized (lock) {
            pidfd = Processes.pidfdOpen(pid);
        }
        this.pid = pid;
    }

    /** What the starting thread makes meanwhile (its state directory, its cgroup); its failure to make it ends this setup. */
    private static <T> T await(CompletableFuture<T> made, String what) {
        try {
            return made.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new SetupException("the container's " + what + " was not made: " + e.getCause().getMessage());
        }
    }

    /** Waits for READY; SETUP_FAILED, or PID 1's end, is a SetupException naming the step. */
    private void awaitReady(String phase, CgroupPlacement placement) {
        long deadline = System.nanoTime() + SETUP_TIMEOUT.toNanos();
        Poll.Set set = new Poll.Set();
        while (true) {
            set.clear();
            set.set(channel.socket().number(), Poll.POLLIN);
            int remaining = (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
            if (set.await(remaining) == 0) {
                throw new SetupException("PID 1 did not answer " + phase + " within " + SETUP_TIMEOUT.toSeconds() + " s" + logTail());
            }
            List<Pid1Protocol.Event> read = events.read();
            if (read == null) {
                throw new SetupException("PID 1 ended during " + phase + logTail());
            }
            for (Pid1Protocol.Event event : read) {
                if (event.type() == Pid1Protocol.READY) {
                    return;
                }
                if (event.type() == Pid1Protocol.SETUP_FAILED) {
                    throw new SetupException(SetupSteps.describe(event.word(0), event.word(1), event.word(2), stateDir, placement));
                }
            }
        }
    }

    /** What PID 1 wrote to its log so far, for an error message. */
    private String logTail() {
        byte[] buffer = new byte[4096];
        Poll.Set set = new Poll.Set();
        set.set(log.number(), Poll.POLLIN);
        while (setupLog.length() < 16384 && set.await(0) > 0 && (set.revents(0) & Poll.POLLIN) != 0) {
            int n = Unistd.read(log.number(), buffer, buffer.length);
            if (n <= 0) {
                break;
            }
            setupLog.append(new String(buffer, 0, n, java.nio.charset.StandardCharsets.UTF_8));
            set.clear();
            set.set(log.number(), Poll.POLLIN);
        }
        return setupLog.isEmpty() ? "" : "; its log: " + setupLog.toString().strip();
    }

    /** The thread's life after setup: run tasks when woken, and reap PID 1 when it ends. */
    private void serve() {
        Poll.Set set = new Poll.Set();
        try {
            while (true) {
                set.clear();
                set.set(pidfd.number(), Poll.POLLIN);
                set.set(wakeup.number(), Poll.POLLIN);
                set.await(-1);
                if (set.revents(1) != 0) {
                    Poll.drain(wakeup);
                    FutureTask<?> task;
                    while ((task = tasks.poll()) != null) {
                        task.run();
                    }
                }
                if (set.revents(0) != 0) {
                    int status = Processes.reapIfExited(pid);
                    if (status >= 0) {
                        exit.complete(status);
                        break;
                    }
                }
            }
        } catch (RuntimeException e) {
            // Never leave PID 1 without its parent's loop: it dies with this thread anyway (PDEATHSIG).
            exit.completeExceptionally(e);
        } finally {
            end();
        }
    }

    private void killAndReap() {
        if (pidfd == null) {
            return;
        }
        kill();
        Poll.Set set = new Poll.Set();
        set.set(pidfd.number(), Poll.POLLIN);
        set.await(10_000);
        int status = Processes.reapIfExited(pid);
        exit.complete(status);
    }

    private void end() {
        synchronized (lock) {
            ended = true;
            closeQuietly(pidfd);
            wakeup.close();
        }
        if (!exit.isDone()) { // checked first: an exception's stack trace costs tens of microseconds per container
            exit.completeExceptionally(new ContainerException("container " + setup.id() + " never started"));
        }
        FutureTask<?> task;
        while ((task = tasks.poll()) != null) {
            task.cancel(false);
        }
    }

    private static <T extends AutoCloseable> T hold(List<AutoCloseable> held, T resource) {
        held.add(resource);
        return resource;
    }

    private static void closeQuietly(Fd fd) {
        if (fd != null) {
            fd.close();
        }
    }

    private static void step(String name, Runnable action) {
        step(name, () -> {
            action.run();
            return null;
        });
    }

    private static <T> T step(String name, java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (LinuxException | ContainerException e) {
            throw new SetupException(name, e);
        }
    }

    /** Whether the calling thread is this one's. */
    boolean isCurrentThread() {
        return Thread.currentThread() == thread;
    }
}
