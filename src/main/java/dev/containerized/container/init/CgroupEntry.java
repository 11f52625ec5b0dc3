package dev.containerized.container.init;

import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.cgroup.CgroupPlacement;
import dev.containerized.internal.linux.LibC;
import dev.containerized.internal.linux.Linux;
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
     * before execve; another thread finds it in the spawning thread's children, writes its pid to
     * cgroup.procs, and only then opens the FIFO for writing, which lets the child go on to execve.
     */
    static final class HoldAndMove extends CgroupEntry {
        private static final String FIFO = "/dev/.containerized-spawn";
        private final int procsFd;
        private volatile int spawningTid;

        HoldAndMove(CgroupPlacement placement) {
            super(Path.of(placement.enter().get(0)));
            procsFd = openProcs(placement.enter())[0];
        }

        @Override
        void prepareSpawningThread() {
            spawningTid = Linux.gettid();
        }

        @Override
        int spawn(PosixSpawn.Request request) {
            Linux.mkfifo(FIFO, 0600);
            CompletableFuture<Integer> mover = CompletableFuture.supplyAsync(this::moveHeldChild);
            try {
                int pid = PosixSpawn.spawn(request.holdingUntilOpened(FIFO));
                mover.get(5, TimeUnit.SECONDS);
                return pid;
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                throw new IllegalStateException("cgroup v2: could not place the command in its cgroup: " + e, e);
            } finally {
                mover.cancel(true);
                try {
                    Files.deleteIfExists(Path.of(FIFO));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        private int moveHeldChild() {
            Path children = Path.of("/proc/self/task/" + spawningTid + "/children");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline) {
                Optional<Integer> held = newestChild(children);
                if (held.isPresent()) {
                    Linux.writeString(procsFd, Integer.toString(held.get()), "cgroup.procs");
                    // Now the child may go on: it is inside the cgroup before its first instruction.
                    int fd = Linux.open(FIFO, LibC.O_WRONLY | LibC.O_CLOEXEC);
                    Linux.closeQuietly(fd);
                    return held.get();
                }
                Thread.onSpinWait();
            }
            throw new IllegalStateException("the spawned child never appeared in " + children);
        }

        /** The held child is the spawning thread's most recent child that is not yet in the cgroup. */
        private Optional<Integer> newestChild(Path children) {
            try {
                String[] pids = Files.readString(children).trim().split("\\s+");
                for (int i = pids.length - 1; i >= 0; i--) {
                    if (!pids[i].isEmpty() && !inContainerCgroup(Integer.parseInt(pids[i]))) {
                        return Optional.of(Integer.parseInt(pids[i]));
                    }
                }
                return Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + children
                        + " (the kernel needs CONFIG_PROC_CHILDREN for cgroup v2 without glibc 2.39)", e);
            }
        }

        private static boolean inContainerCgroup(int pid) {
            try {
                // The init sees its own cgroup through the host's namespace; a moved child's differs.
                return !Files.readString(Path.of("/proc/" + pid + "/cgroup")).equals(Files.readString(Path.of("/proc/self/cgroup")));
            } catch (IOException e) {
                return true;
            }
        }

        @Override
        void moveSelf() {
            Linux.writeString(procsFd, "0", "cgroup.procs");
            Linux.unshare(LibC.CLONE_NEWCGROUP);
        }
    }
}
