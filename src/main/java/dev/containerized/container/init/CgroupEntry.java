package dev.containerized.container.init;

import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.cgroup.CgroupPlacement;
import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.LibC;
import dev.containerized.internal.linux.Linux;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.linux.PosixSpawn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Puts commands into the container cgroup before their first instruction; moving a command after it
 * started would let a fork in between escape the limits. The descriptors it needs are opened before
 * pivot_root hides the host's cgroupfs, all with O_CLOEXEC: a command that inherited one would hold a
 * handle to a host directory (CVE-2024-21626).
 */
abstract sealed class CgroupEntry {
    private final PidsGauge pids;

    CgroupEntry(Path pidsCgroup) {
        this.pids = new PidsGauge(pidsCgroup);
    }

    /** The pids limit when the container is at it, else -1: see {@link PidsGauge}. */
    long reachedPidsLimit() {
        return pids.reachedLimit();
    }

    static CgroupEntry open(CgroupPlacement placement) {
        if (placement.version() == CgroupLayout.Version.V1) {
            return new ThreadHop(placement);
        }
        return PosixSpawn.canSpawnIntoCgroup() ? new CloneInto(placement) : new HoldAndMove(placement);
    }

    /** Called once on the spawning thread, before anything else runs on it. */
    abstract void prepareSpawningThread();

    /** Spawns the request's command inside the cgroup; called on the spawning thread only. */
    abstract int spawn(PosixSpawn.Request request);

    /** "Command as PID 1": moves the whole init into the cgroup just before it execs the command. */
    abstract void moveSelf();

    /** The cgroup.procs files of the container cgroup, descriptors opened now, for {@link #moveSelf}. */
    private static int[] openProcs(List<String> cgroupDirs) {
        return cgroupDirs.stream().mapToInt(dir -> Linux.open(dir + "/cgroup.procs", LibC.O_WRONLY | LibC.O_CLOEXEC)).toArray();
    }

    /**
     * v1: a single thread may change cgroup. The spawning thread writes its tid into the container's
     * tasks files, spawns (the child is born inside), and writes itself back to the init's cgroups.
     */
    static final class ThreadHop extends CgroupEntry {
        private final int[] enter;
        private final int[] leave;
        private final int[] procs;

        ThreadHop(CgroupPlacement placement) {
            super(Path.of(placement.enter().get(0)).getParent()); // enter[0] is the pids cgroup's tasks
            enter = placement.enter().stream().mapToInt(p -> Linux.open(p, LibC.O_WRONLY | LibC.O_CLOEXEC)).toArray();
            leave = placement.leave().stream().mapToInt(p -> Linux.open(p, LibC.O_WRONLY | LibC.O_CLOEXEC)).toArray();
            procs = openProcs(placement.enter().stream().map(p -> Path.of(p).getParent().toString()).toList());
        }

        @Override
        void prepareSpawningThread() {
            // A cgroup namespace rooted at the container cgroup: commands see their cgroup as "/".
            hop(enter);
            try {
                Linux.unshare(LibC.CLONE_NEWCGROUP);
            } finally {
                hop(leave);
            }
        }

        @Override
        int spawn(PosixSpawn.Request request) {
            hop(enter);
            try {
                return PosixSpawn.spawn(request);
            } finally {
                hop(leave);
            }
        }

        @Override
        void moveSelf() {
            for (int fd : procs) {
                Linux.writeString(fd, "0", "cgroup.procs");
            }
            Linux.unshare(LibC.CLONE_NEWCGROUP);
        }

        private void hop(int[] tasksFiles) {
            String tid = Integer.toString(Linux.gettid());
            for (int fd : tasksFiles) {
                Linux.writeString(fd, tid, "tasks");
            }
        }
    }

    /** v2 with glibc 2.39+: clone3(CLONE_INTO_CGROUP) through posix_spawnattr_setcgroup_np. */
    static final class CloneInto extends CgroupEntry {
        private final int dirFd;
        private final int[] procs;

        CloneInto(CgroupPlacement placement) {
            super(Path.of(placement.enter().get(0)));
            dirFd = Linux.open(placement.enter().get(0), LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
            procs = openProcs(placement.enter());
        }

        @Override
        void prepareSpawningThread() {
        }

        @Override
        int spawn(PosixSpawn.Request request) {
            return PosixSpawn.spawn(request.intoCgroup(dirFd));
        }

        @Override
        void moveSelf() {
            Linux.writeString(procs[0], "0", "cgroup.procs");
            Linux.unshare(LibC.CLONE_NEWCGROUP);
        }
    }

    /**
     * v2 on an older glibc: the child's first file action opens a FIFO for reading, which blocks it
     * before execve; another thread finds it (the one child of PID 1 outside the container cgroup:
     * every other child is a command, placed already), writes its pid to cgroup.procs, and only then
     * opens the FIFO for writing, which lets the child go on to execve.
     */
    static final class HoldAndMove extends CgroupEntry {
        private static final String FIFO = "/dev/.containerized-spawn-";
        private final int procsFd;
        private int spawns;

        HoldAndMove(CgroupPlacement placement) {
            super(Path.of(placement.enter().get(0)));
            procsFd = openProcs(placement.enter())[0];
        }

        @Override
        void prepareSpawningThread() {
        }

        @Override
        int spawn(PosixSpawn.Request request) {
            // A FIFO of its own per spawn: a mover left from a failed spawn cannot release another's child.
            String fifo = FIFO + (++spawns);
            Linux.mkfifo(fifo, 0600);
            AtomicBoolean spawned = new AtomicBoolean();
            CompletableFuture<Integer> mover = CompletableFuture.supplyAsync(() -> moveHeldChild(fifo, spawned));
            try {
                int pid = PosixSpawn.spawn(request.holdingUntilOpened(fifo));
                mover.get(5, TimeUnit.SECONDS);
                return pid;
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                throw new IllegalStateException("cgroup v2: could not place the command in its cgroup: " + e, e);
            } finally {
                spawned.set(true);
                try {
                    Files.deleteIfExists(Path.of(fifo));
                } catch (IOException e) {
                    System.err.println("containerized init: cannot delete " + fifo + ": " + e);
                }
            }
        }

        private int moveHeldChild(String fifo, AtomicBoolean spawned) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            while (!spawned.get() && System.nanoTime() < deadline) {
                Optional<Integer> held = heldChild();
                if (held.isPresent()) {
                    try {
                        Linux.writeString(procsFd, Integer.toString(held.get()), "cgroup.procs");
                        // Inside the cgroup before its first instruction: now it may go on.
                        release(fifo, deadline);
                        return held.get();
                    } catch (RuntimeException e) {
                        // Never let it run outside, nor wait forever: it dies, and posix_spawn returns.
                        Linux.kill(held.get(), LibC.SIGKILL);
                        throw e;
                    }
                }
                Thread.onSpinWait();
            }
            throw new IllegalStateException("the spawned child never appeared as a child of PID 1 outside the cgroup");
        }

        /**
         * Opens the FIFO for writing once the child has it open for reading (it may not have got that
         * far when we found it: until then a non-blocking open fails with ENXIO), which ends its wait.
         */
        private static void release(String fifo, long deadline) {
            while (true) {
                try {
                    Linux.closeQuietly(Linux.open(fifo, LibC.O_WRONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC));
                    return;
                } catch (LinuxException e) {
                    if (e.errno() != Errno.ENXIO || System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.onSpinWait();
                }
            }
        }

        /** The child of PID 1 (this init) that is not in the container cgroup: the one being held. */
        private static Optional<Integer> heldChild() {
            String initCgroup = cgroupOf("self");
            try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
                return processes.map(p -> p.getFileName().toString()).filter(name -> name.matches("\\d+") && !name.equals("1"))
                        .filter(pid -> parentOf(pid) == 1 && initCgroup.equals(cgroupOf(pid)))
                        .map(Integer::valueOf).findFirst();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list /proc", e);
            }
        }

        /** The ppid field of /proc/PID/stat, after the command name, which may hold spaces and parentheses. */
        private static int parentOf(String pid) {
            try {
                String stat = Files.readString(Path.of("/proc", pid, "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Integer.parseInt(fields[1]);
            } catch (IOException | RuntimeException gone) {
                return -1;
            }
        }

        private static String cgroupOf(String pid) {
            try {
                return Files.readString(Path.of("/proc", pid, "cgroup"));
            } catch (IOException gone) {
                return "";
            }
        }

        @Override
        void moveSelf() {
            Linux.writeString(procsFd, "0", "cgroup.procs");
            Linux.unshare(LibC.CLONE_NEWCGROUP);
        }
    }
}
