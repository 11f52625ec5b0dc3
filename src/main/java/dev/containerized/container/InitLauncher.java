package dev.containerized.container;

import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.init.ContainerInit;
import dev.containerized.internal.linux.FdStreams;
import dev.containerized.internal.linux.LibC;
import dev.containerized.internal.linux.Linux;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.linux.PosixSpawn;
import dev.containerized.internal.linux.PosixSpawn.Stdio;
import dev.containerized.rootfs.JnaNativeLibrary;

import com.sun.jna.Native;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Starts the init JVM in new namespaces. unshare(2) works per thread for these namespaces and a process
 * spawned from that thread inherits them, the first becoming PID 1: so each container gets a fresh
 * platform thread that unshares, spawns the init and then waits for it as long as it lives, because
 * the init's PR_SET_PDEATHSIG fires when the thread that started it ends.
 * <p>
 * The init is spawned with posix_spawn, not ProcessBuilder: after unshare(CLONE_NEWPID) the thread can
 * no longer create threads (they would land in another pid namespace than their process), and
 * ProcessBuilder may need to start one for its process reaper.
 */
final class InitLauncher {
    private static final int NAMESPACES = LibC.CLONE_FS | LibC.CLONE_NEWNS | LibC.CLONE_NEWUTS | LibC.CLONE_NEWIPC
            | LibC.CLONE_NEWNET | LibC.CLONE_NEWPID;

    /** How the init's stdin, stdout and stderr are connected. */
    enum Io {
        /** Pipes to the test JVM: the control channel and the init's log. */
        CONTROL,
        /** stdin from /dev/null, stdout and stderr to pipes: a PID 1 command's output, captured. */
        CAPTURED,
        /** This JVM's own stdio: a PID 1 command on the user's terminal. */
        TERMINAL
    }

    private InitLauncher() {
    }

    /**
     * Starts the init on a new thread and returns once it runs; the thread lives until the init ends.
     *
     * @param stateDir the container's state directory, or empty for a prestarted init (see {@link InitPool})
     */
    static SpawnedInit launch(String name, Optional<Path> stateDir, CgroupLayout.Version version, Io io) {
        // v1 lets the init's spawning thread enter the container cgroup and root a cgroup namespace
        // there. v2 moves processes whole, and with nsdelegate only a mover that sees both the source
        // and the destination cgroup may move: so on v2 the init keeps the test JVM's cgroup view.
        int flags = NAMESPACES | (version == CgroupLayout.Version.V1 ? LibC.CLONE_NEWCGROUP : 0);
        int[] stdin = io == Io.CONTROL ? Linux.pipe() : null;
        int[] stdout = io == Io.TERMINAL ? null : Linux.pipe();
        int[] stderr = io == Io.TERMINAL ? null : Linux.pipe();
        PosixSpawn.Request request = new PosixSpawn.Request(javaExecutable(), command(stateDir),
                List.of("CLASSPATH=" + classpath()), Optional.empty(),
                stdin != null ? Stdio.of(stdin[0]) : io == Io.CAPTURED ? Stdio.devNull() : Stdio.inherit(),
                stdout != null ? Stdio.of(stdout[1]) : Stdio.inherit(),
                stderr != null ? Stdio.of(stderr[1]) : Stdio.inherit(),
                false, Optional.empty(), Optional.empty());

        CompletableFuture<Integer> started = new CompletableFuture<>();
        SpawnedInit.Exit exit = new SpawnedInit.Exit();
        Thread thread = new Thread(() -> {
            int pid;
            try {
                Linux.unshare(flags);
                pid = PosixSpawn.spawn(request);
            } catch (Throwable e) {
                started.completeExceptionally(e);
                return;
            } finally {
                // The child has its ends now (or never will).
                closeQuietly(stdin == null ? -1 : stdin[0], stdout == null ? -1 : stdout[1], stderr == null ? -1 : stderr[1]);
            }
            started.complete(pid);
            exit.waitFor(pid);
        }, "containerized-" + name);
        thread.setDaemon(true);
        thread.start();
        try {
            int pid = started.get();
            return new SpawnedInit(pid, thread, exit,
                    stdin == null ? Optional.empty() : Optional.of(FdStreams.output(stdin[1])),
                    stdout == null ? Optional.empty() : Optional.of(FdStreams.input(stdout[0])),
                    stderr == null ? Optional.empty() : Optional.of(FdStreams.input(stderr[0])));
        } catch (ExecutionException e) {
            closeQuietly(stdin == null ? -1 : stdin[1], stdout == null ? -1 : stdout[0], stderr == null ? -1 : stderr[0]);
            Throwable cause = e.getCause();
            if (cause instanceof LinuxException le) {
                throw new ContainerException(le.getMessage()
                        + (le.errno() == 1 ? ": Containerized needs root with CAP_SYS_ADMIN to create namespaces" : ""), le);
            }
            throw new ContainerException("cannot start the container's init: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("interrupted while starting the container's init", e);
        }
    }

    private static void closeQuietly(int... fds) {
        for (int fd : fds) {
            if (fd >= 0) {
                Linux.closeQuietly(fd);
            }
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A short command line: it is what {@code ps} shows as PID 1 inside. */
    private static List<String> command(Optional<Path> stateDir) {
        List<String> command = new ArrayList<>();
        command.add("java");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        // Every init is PID 1: with perf data they would all write /tmp/hsperfdata_root/1 on the host.
        command.add("-XX:-UsePerfData");
        command.add("-XX:+DisableAttachMechanism");
        // stdout is the control channel: a VM warning there would break the protocol.
        command.add("-XX:+DisplayVMOutputToStderr");
        command.add("-Xshare:auto");
        command.add("-Xms8m");
        command.add("-Xmx64m");
        command.add("-Djna.boot.library.path=" + JnaNativeLibrary.directory());
        command.add("-Djna.nounpack=true");
        // Set, it keeps JNA from running "ldconfig -p" at start to learn the library path: a process
        // start that cost the init 50 ms. libc is loaded by its soname and found by the dynamic loader.
        command.add("-Djna.platform.library.path=/usr/lib:/lib");
        command.add(ContainerInit.class.getName());
        command.add(stateDir.map(Path::toString).orElse(ContainerInit.PRESTARTED));
        return command;
    }

    private static String classpath() {
        return String.join(File.pathSeparator, location(ContainerInit.class), location(Native.class));
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the classes of " + type, e);
        }
    }
}
