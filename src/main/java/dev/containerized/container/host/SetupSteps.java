package dev.containerized.container.host;

import dev.containerized.internal.linux.Errno;

import java.nio.file.Path;

/** PID 1's setup steps, as SETUP_FAILED numbers them, in words: step, path and errno. */
final class SetupSteps {
    private SetupSteps() {
    }

    static String describe(int step, int errno, int which, Path stateDir, ContainerThread.CgroupPlacement placement) {
        String error = Errno.describe(errno);
        return switch (step) {
            case Pid1Protocol.STEP_CGROUP -> "join the container's cgroup: write(\"0\" to " + placement.joinFiles() + "): " + error;
            case Pid1Protocol.STEP_CGROUPNS -> "root a cgroup namespace at the container's cgroup: unshare(CLONE_NEWCGROUP): " + error;
            case Pid1Protocol.STEP_PROC -> "mount proc: mount(\"proc\", \"" + stateDir.resolve(RootfsMounts.MERGED).resolve("proc") + "\"): " + error;
            case Pid1Protocol.STEP_PIVOT -> "pivot_root into " + stateDir.resolve(RootfsMounts.MERGED) + " (and detach the old root): " + error;
            case Pid1Protocol.STEP_CAPS -> "drop PID 1's capabilities to the commands' set: " + error;
            case Pid1Protocol.STEP_CGROUPFS -> "mount the container's cgroupfs: mount "
                    + (which >= 0 && which < placement.cgroupfs().size() ? placement.cgroupfs().get(which) : "#" + which) + ": " + error;
            case Pid1Protocol.STEP_ROOT -> errno == Errno.EXDEV
                    ? "the container's root is not the top of its mount namespace, so a process inside could climb out of "
                    + "it to the host's files: this JVM runs in a chroot. Run it where its root is its mount namespace's "
                    + "root: on the machine itself, in a container, or after unshare -m and pivot_root instead of chroot"
                    : "check that the container's root holds: " + error;
            default -> "PID 1 could not read its configuration (protocol step " + step + "): " + error;
        };
    }

    /** A command's stage before execve, as FAILED numbers it, for the message the command's stderr gets. */
    static String describeStage(int stage) {
        return switch (stage) {
            case Pid1Protocol.STAGE_FORK -> "fork";
            case Pid1Protocol.STAGE_STDIO -> "set up stdin, stdout and stderr";
            case Pid1Protocol.STAGE_SESSION -> "start a session";
            case Pid1Protocol.STAGE_CAPS -> "drop capabilities";
            case Pid1Protocol.STAGE_USER -> "switch user";
            case Pid1Protocol.STAGE_CWD -> "enter the working directory";
            case Pid1Protocol.STAGE_SECCOMP -> "install the seccomp filter";
            case Pid1Protocol.STAGE_EXEC -> "exec";
            default -> "stage " + stage;
        };
    }
}
