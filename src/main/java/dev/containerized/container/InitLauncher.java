package dev.containerized.container;

import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.init.ContainerInit;
import dev.containerized.internal.linux.LibC;
import dev.containerized.internal.linux.Linux;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.rootfs.JnaNativeLibrary;

import com.sun.jna.Native;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Starts the init JVM in new namespaces. unshare(2) works per thread for these namespaces and a process
 * started from that thread inherits them, the first becoming PID 1: so each container gets a fresh
 * platform thread that unshares, starts the init and then waits for it as long as it lives, because
 * the init's PR_SET_PDEATHSIG fires when the thread that started it ends.
 */
final class InitLauncher {
    private static final int NAMESPACES = LibC.CLONE_FS | LibC.CLONE_NEWNS | LibC.CLONE_NEWUTS | LibC.CLONE_NEWIPC
            | LibC.CLONE_NEWNET | LibC.CLONE_NEWPID;

    private InitLauncher() {
    }

    /**
     * Starts the init on a new thread and returns once it runs; the thread lives until the init ends.
     *
     * @param io how the init's stdio is connected (pipes for the control channel, or the terminal)
     */
    static Launched launch(String id, Path stateDir, CgroupLayout.Version version, ProcessBuilder io) {
        ProcessBuilder builder = io.command(command(stateDir));
        builder.environment().clear();
        builder.environment().put("CLASSPATH", classpath());
        // v1 lets the init's spawning thread enter the container cgroup and root a cgroup namespace
        // there. v2 moves processes whole, and with nsdelegate only a mover that sees both the source
        // and the destination cgroup may move: so on v2 the init keeps the test JVM's cgroup view.
        int flags = NAMESPACES | (version == CgroupLayout.Version.V1 ? LibC.CLONE_NEWCGROUP : 0);
        CompletableFuture<Process> started = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            Process process;
            try {
                Linux.unshare(flags);
                process = builder.start();
            } catch (LinuxException e) {
                started.completeExceptionally(new ContainerException(e.getMessage()
                        + (e.errno() == 1 ? ": Containerized needs root with CAP_SYS_ADMIN to create namespaces" : ""), e));
                return;
            } catch (Throwable e) {
                started.completeExceptionally(e);
                return;
            }
            started.complete(process);
            while (process.isAlive()) {
                try {
                    process.waitFor();
                } catch (InterruptedException ignored) {
                    // This thread must outlive the init: keep waiting.
                }
            }
        }, "containerized-" + id);
        thread.setDaemon(true);
        thread.start();
        try {
            return new Launched(started.get(), thread);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ContainerException ce) {
                throw ce;
            }
            throw new ContainerException("cannot start the container's init: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("interrupted while starting the container's init", e);
        }
    }

    record Launched(Process process, Thread thread) {
    }

    /** A short command line: it is what {@code ps} shows as PID 1 inside. */
    private static List<String> command(Path stateDir) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
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
        command.add(stateDir.toString());
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
