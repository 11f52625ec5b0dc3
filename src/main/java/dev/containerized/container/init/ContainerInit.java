package dev.containerized.container.init;

import dev.containerized.internal.linux.Capabilities;
import dev.containerized.internal.linux.LibC;
import dev.containerized.internal.linux.Linux;
import dev.containerized.internal.linux.LinuxException;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * PID 1 of a container: {@code java dev.containerized.container.init.ContainerInit STATE_DIR}, started by
 * the test JVM from a thread that unshared the namespaces. It sets the container up, then either
 * serves commands over its stdin/stdout ({@link Frame}) or, in "command as PID 1" mode, execs the one
 * command. A failed setup writes the step, path and errno to {@code STATE_DIR/error} and exits 125.
 * <p>
 * Started with {@link #PRESTARTED} instead of a state directory, it does the JVM's share of the work
 * ahead (JNA, class loading), then waits for a {@link Frame.Go} that names the state directory: the
 * test JVM keeps one such init ready, so a container start does not wait for a JVM to boot.
 */
public final class ContainerInit {
    public static final String ERROR_FILE = "error";
    public static final int SETUP_FAILED = 125;
    public static final String PRESTARTED = "--prestarted";

    private ContainerInit() {
    }

    public static void main(String[] args) {
        // Die with the test JVM's launching thread, and keep commands away from /proc/1/{fd,exe,environ}:
        // the init's open files are host files.
        Linux.prctl(LibC.PR_SET_PDEATHSIG, LibC.SIGKILL);
        Linux.prctl(LibC.PR_SET_DUMPABLE, 0);
        DataInputStream requests = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in)));
        Path state = args[0].equals(PRESTARTED) ? awaitGo(requests) : Path.of(args[0]);
        FileOutputStream error;
        try {
            error = new FileOutputStream(state.resolve(ERROR_FILE).toFile());
        } catch (IOException e) {
            System.err.println("containerized init: cannot open " + state.resolve(ERROR_FILE) + ": " + e);
            System.exit(SETUP_FAILED);
            return;
        }
        InitConfig config;
        CgroupEntry cgroup;
        int lastCap;
        try {
            config = InitConfig.read(state.resolve(InitConfig.FILE));
            lastCap = Capabilities.lastCap();
            ClassPreloader.loadAll(); // a no-op the second time, for a prestarted init
            cgroup = stepOpenCgroup(config);
            new RootfsSetup(config).run();
            // Checked once for every command: a missing directory is a setup error, as in docker run.
            try {
                Linux.chdir(config.workingDirectory());
            } catch (LinuxException e) {
                throw new SetupException("enter the working directory", e);
            }
        } catch (Throwable e) {
            failSetup(error, e);
            return;
        }
        if (config.pid1Command().isPresent()) {
            execAsPid1(config, cgroup, lastCap, config.pid1Command().get(), error);
        } else {
            serve(config, cgroup, lastCap, requests, error);
        }
    }

    /** Warms up, then waits for the state directory; exits quietly if the test JVM closes the channel first. */
    private static Path awaitGo(DataInputStream requests) {
        try {
            ClassPreloader.loadAll();
            WarmUp.run();
            Optional<Frame> go = Frame.read(requests);
            if (go.isPresent() && go.get() instanceof Frame.Go g) {
                return Path.of(g.stateDir());
            }
            System.err.println("containerized init: expected a Go frame, got " + go);
        } catch (Exception e) {
            System.err.println("containerized init: while prestarted: " + e);
        }
        System.exit(0);
        return null;
    }

    private static CgroupEntry stepOpenCgroup(InitConfig config) {
        try {
            return CgroupEntry.open(config.placement());
        } catch (LinuxException e) {
            throw new SetupException("open the container cgroup " + config.placement().enter(), e);
        }
    }

    private static void serve(InitConfig config, CgroupEntry cgroup, int lastCap, DataInputStream requests,
                              FileOutputStream error) {
        DataOutputStream control = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
        CommandRunner runner;
        try {
            runner = new CommandRunner(cgroup, config.env(), config.workingDirectory(), control, lastCap);
            synchronized (control) {
                Frame.write(control, new Frame.Ready());
            }
        } catch (Throwable e) {
            failSetup(error, e);
            return;
        }
        try {
            Optional<Frame> frame;
            while ((frame = Frame.read(requests)).isPresent()) {
                if (frame.get() instanceof Frame.Exec exec) {
                    runner.exec(exec.id(), exec.argv());
                } else if (frame.get() instanceof Frame.Signal signal) {
                    runner.signal(signal.id(), signal.signal());
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("containerized init: control channel: " + e);
        }
        // End of the control channel: the container is closed or the test JVM is gone. PID 1's exit
        // makes the kernel kill everything else in the pid namespace.
        System.exit(0);
    }

    private static void execAsPid1(InitConfig config, CgroupEntry cgroup, int lastCap, List<String> argv,
                                   FileOutputStream error) {
        Optional<String> path = ExecutableLookup.find(argv.get(0), config.env());
        if (path.isEmpty()) {
            System.err.println("containerized: exec: \"" + argv.get(0) + "\": executable file not found in $PATH ("
                    + ExecutableLookup.path(config.env()) + ")");
            System.exit(127);
        }
        try {
            cgroup.moveSelf();
            Capabilities.restrictCurrentThread(lastCap);
        } catch (Throwable e) {
            failSetup(error, e);
            return;
        }
        // No JVM descriptor may reach the command.
        Linux.closeOnExecFrom3();
        try {
            Linux.execve(path.get(), argv.toArray(String[]::new), config.env().toArray(String[]::new));
        } catch (LinuxException e) {
            System.err.println("containerized: exec: \"" + argv.get(0) + "\": " + e.getMessage());
            System.exit(e.errno() == 13 ? 126 : 127);
        }
    }

    private static void failSetup(FileOutputStream error, Throwable e) {
        String message = e instanceof SetupException || e instanceof LinuxException
                ? e.getMessage() : e.toString();
        System.err.println("containerized init: setup failed: " + message);
        try {
            error.write(message.getBytes(StandardCharsets.UTF_8));
            error.flush();
        } catch (IOException ignored) {
            // stderr has it.
        }
        System.exit(SETUP_FAILED);
    }
}
