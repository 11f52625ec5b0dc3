package dev.containerized.container.init;

import dev.containerized.internal.linux.Capabilities;
import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.LibC;
import dev.containerized.internal.linux.Linux;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.linux.PosixSpawn;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The init's side of commands: spawns them on one dedicated thread (the one whose cgroup,
 * capabilities and cgroup namespace they inherit), relays their output, and as PID 1 reaps every
 * child, orphans included. A command's {@code Exited} frame is sent once it has been reaped and both of
 * its output pipes reached end of file, so the host always has the whole output with the status.
 */
final class CommandRunner {
    private final CgroupEntry cgroup;
    private final List<String> env;
    private final String workingDirectory;
    private final DataOutputStream control;
    private final ExecutorService spawningThread;
    /** Guards {@link #byPid} and {@link #children}; held across spawn and register (see {@link #reap}). */
    private final Object lock = new Object();
    private final Map<Integer, Running> byPid = new HashMap<>();
    private final Map<Integer, Running> byId = new HashMap<>();
    /** How many commands were spawned so far: tells the reaper that waiting is worth it again. */
    private int children;

    private final class Running {
        final int id;
        final int pid;
        final AtomicInteger pending = new AtomicInteger(3); // stdout EOF, stderr EOF, reaped
        volatile int waitStatus;

        Running(int id, int pid) {
            this.id = id;
            this.pid = pid;
        }

        void oneDone() {
            if (pending.decrementAndGet() == 0) {
                synchronized (lock) {
                    byId.remove(id);
                }
                send(new Frame.Exited(id, waitStatus));
            }
        }
    }

    CommandRunner(CgroupEntry cgroup, List<String> env, String workingDirectory, DataOutputStream control, int lastCap) {
        this.cgroup = cgroup;
        this.env = env;
        this.workingDirectory = workingDirectory;
        this.control = control;
        this.spawningThread = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "containerized-spawn");
            thread.setDaemon(true);
            return thread;
        });
        // Everything that must happen on the spawning thread before the first command; it needs
        // CAP_SYS_ADMIN, which the thread gives up right after.
        await(spawningThread.submit(() -> {
            cgroup.prepareSpawningThread();
            Capabilities.restrictCurrentThread(lastCap);
        }));
        Thread reaper = new Thread(this::reap, "containerized-reaper");
        reaper.setDaemon(true);
        reaper.start();
    }

    /** Starts command {@code id}; answers with Started, or with stderr output and Exited(126/127). */
    void exec(int id, List<String> argv) {
        Optional<String> path = ExecutableLookup.find(argv.get(0), env);
        if (path.isEmpty()) {
            fail(id, 127, "containerized: exec: \"" + argv.get(0) + "\": executable file not found in $PATH ("
                    + ExecutableLookup.path(env) + ")\n");
            return;
        }
        long pidsLimit = cgroup.reachedPidsLimit();
        if (pidsLimit >= 0) {
            fail(id, 126, "containerized: exec: \"" + argv.get(0) + "\": the container is at its pids limit of " + pidsLimit
                    + ": EAGAIN (Resource temporarily unavailable)\n");
            return;
        }
        int[] out = Linux.pipe();
        int[] err = Linux.pipe();
        Running running;
        try {
            running = await(spawningThread.submit(() -> {
                synchronized (lock) {
                    int pid = cgroup.spawn(PosixSpawn.Request.command(path.get(), argv, env, workingDirectory, out[1], err[1]));
                    Running r = new Running(id, pid);
                    byPid.put(pid, r);
                    byId.put(id, r);
                    children++;
                    lock.notifyAll();
                    return r;
                }
            }));
        } catch (RuntimeException e) {
            Arrays.stream(new int[] {out[0], out[1], err[0], err[1]}).forEach(Linux::closeQuietly);
            // As a shell says: 127 when there is no such file, 126 when it cannot be run.
            int status = e.getCause() instanceof LinuxException le && le.errno() == Errno.ENOENT ? 127 : 126;
            fail(id, status, "containerized: exec: \"" + argv.get(0) + "\": " + rootMessage(e) + "\n");
            return;
        }
        Linux.closeQuietly(out[1]);
        Linux.closeQuietly(err[1]);
        send(new Frame.Started(id, running.pid));
        relay(running, out[0], 1);
        relay(running, err[0], 2);
    }

    /** Sends {@code signal} to the command's process group (each command leads its own session). */
    void signal(int id, int signal) {
        Running running;
        synchronized (lock) {
            running = byId.get(id);
        }
        if (running != null && !Linux.kill(-running.pid, signal)) {
            Linux.kill(running.pid, signal);
        }
    }

    private void relay(Running running, int fd, int stream) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try {
                int n;
                while ((n = Linux.read(fd, buffer)) > 0) {
                    send(new Frame.Output(running.id, stream, Arrays.copyOf(buffer, n)));
                }
            } catch (LinuxException e) {
                System.err.println("containerized init: reading output of command " + running.id + ": " + e.getMessage());
            } finally {
                Linux.closeQuietly(fd);
                running.oneDone();
            }
        }, "containerized-relay-" + running.id + "-" + stream);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * PID 1's duty: wait for any child, ours or an orphan re-parented to us. The spawner holds the lock
     * from posix_spawn to registration, so a pid reaped here is either registered by the time the lock
     * is ours or was never a command of ours.
     */
    private void reap() {
        while (true) {
            int spawnedBefore;
            synchronized (lock) {
                spawnedBefore = children;
            }
            int[] exited = Linux.waitAnyChild();
            synchronized (lock) {
                if (exited == null) {
                    // No children at all: sleep until a spawn that came after our waitpid.
                    while (children == spawnedBefore) {
                        try {
                            lock.wait();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    continue;
                }
                Running running = byPid.remove(exited[0]);
                if (running != null) {
                    running.waitStatus = exited[1];
                    running.oneDone();
                }
            }
        }
    }

    private void fail(int id, int exitCode, String message) {
        send(new Frame.Output(id, 2, message.getBytes(StandardCharsets.UTF_8)));
        send(new Frame.Exited(id, exitCode << 8));
    }

    private void send(Frame frame) {
        synchronized (control) {
            try {
                Frame.write(control, frame);
            } catch (IOException e) {
                // The test JVM is gone: PID 1 exits, and the kernel ends the container with it.
                System.exit(0);
            }
        }
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }

    static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw new RuntimeException(re.getMessage(), re);
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
