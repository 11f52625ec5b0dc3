package dev.containerized.internal.linux;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;

import java.util.List;
import java.util.Optional;

/**
 * glibc's posix_spawn(3): the child runs only glibc code between clone and execve, so it is safe to
 * call from a multithreaded JVM, unlike fork. The child gets the stdio the request names, default
 * signal handling and an empty signal mask, and no other descriptor: a JVM descriptor reaching a
 * command would be a way out of the container.
 */
public final class PosixSpawn {
    private static final LibC C = LibC.INSTANCE;
    /** sizeof(posix_spawn_file_actions_t) is 80 and sizeof(posix_spawnattr_t) 336 on x86_64 and aarch64. */
    private static final int OPAQUE_SIZE = 1024;
    private static final short POSIX_SPAWN_SETCGROUP = 0x100;
    private static final Optional<Function> SET_CGROUP = lookup("posix_spawnattr_setcgroup_np");

    private PosixSpawn() {
    }

    /** Where one of the child's standard descriptors comes from. */
    public record Stdio(int fd) {
        private static final int INHERIT = -1;
        private static final int DEV_NULL = -2;

        /** The parent's own descriptor of the same number. */
        public static Stdio inherit() {
            return new Stdio(INHERIT);
        }

        public static Stdio devNull() {
            return new Stdio(DEV_NULL);
        }

        /** A descriptor of the parent, such as a pipe's end. */
        public static Stdio of(int fd) {
            return new Stdio(fd);
        }
    }

    /**
     * What to start.
     *
     * @param workingDirectory where the child starts, or empty to keep the parent's
     * @param newSession      whether the child leads a session of its own (a command, so a signal reaches
     *                        its process group), or stays in the parent's (a terminal stays its own)
     * @param holdUntilOpened when present, a FIFO the child opens for reading before it executes the
     *                        command: the open blocks until someone opens it for writing, which holds
     *                        the child before its first instruction (see the cgroup v2 fallback).
     * @param cgroupFd        when present, a cgroup v2 directory the child is cloned into
     *                        (glibc 2.39+, {@link #canSpawnIntoCgroup()}).
     */
    public record Request(String path, List<String> argv, List<String> env, Optional<String> workingDirectory,
                          Stdio stdin, Stdio stdout, Stdio stderr, boolean newSession,
                          Optional<String> holdUntilOpened, Optional<Integer> cgroupFd) {
        /** A command of a container: stdin from /dev/null, its own session. */
        public static Request command(String path, List<String> argv, List<String> env, String workingDirectory,
                                      int stdoutFd, int stderrFd) {
            return new Request(path, argv, env, Optional.of(workingDirectory), Stdio.devNull(), Stdio.of(stdoutFd),
                    Stdio.of(stderrFd), true, Optional.empty(), Optional.empty());
        }

        public Request holdingUntilOpened(String fifo) {
            return new Request(path, argv, env, workingDirectory, stdin, stdout, stderr, newSession, Optional.of(fifo), cgroupFd);
        }

        public Request intoCgroup(int directoryFd) {
            return new Request(path, argv, env, workingDirectory, stdin, stdout, stderr, newSession, holdUntilOpened,
                    Optional.of(directoryFd));
        }
    }

    /** True when this glibc can clone a child straight into a cgroup v2 directory. */
    public static boolean canSpawnIntoCgroup() {
        return SET_CGROUP.isPresent();
    }

    /** Builds the request's file actions and attributes and frees them, spawning nothing: a warm-up. */
    public static void prepareOnly(Request request) {
        Memory actions = new Memory(OPAQUE_SIZE);
        Memory attributes = new Memory(OPAQUE_SIZE);
        check(C.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
        check(C.posix_spawnattr_init(attributes), "posix_spawnattr_init");
        fileActions(actions, request);
        check(C.posix_spawnattr_setsigdefault(attributes, Linux.sigset(true)), "posix_spawnattr_setsigdefault");
        check(C.posix_spawnattr_setsigmask(attributes, Linux.sigset(false)), "posix_spawnattr_setsigmask");
        check(C.posix_spawnattr_setflags(attributes, LibC.POSIX_SPAWN_SETSID), "posix_spawnattr_setflags");
        C.posix_spawnattr_destroy(attributes);
        C.posix_spawn_file_actions_destroy(actions);
    }

    /** Starts the request's command; returns its pid, or throws a {@link LinuxException} (ENOENT, EACCES …). */
    public static int spawn(Request request) {
        Memory actions = new Memory(OPAQUE_SIZE);
        Memory attributes = new Memory(OPAQUE_SIZE);
        check(C.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
        try {
            check(C.posix_spawnattr_init(attributes), "posix_spawnattr_init");
            try {
                fileActions(actions, request);
                short flags = (short) ((request.newSession() ? LibC.POSIX_SPAWN_SETSID : 0)
                        | LibC.POSIX_SPAWN_SETSIGDEF | LibC.POSIX_SPAWN_SETSIGMASK);
                check(C.posix_spawnattr_setsigdefault(attributes, Linux.sigset(true)), "posix_spawnattr_setsigdefault");
                check(C.posix_spawnattr_setsigmask(attributes, Linux.sigset(false)), "posix_spawnattr_setsigmask");
                if (request.cgroupFd().isPresent()) {
                    flags |= POSIX_SPAWN_SETCGROUP;
                    check(SET_CGROUP.orElseThrow().invokeInt(new Object[] {attributes, request.cgroupFd().get()}),
                            "posix_spawnattr_setcgroup_np");
                }
                check(C.posix_spawnattr_setflags(attributes, flags), "posix_spawnattr_setflags");
                IntByReference pid = new IntByReference();
                int error = C.posix_spawn(pid, request.path(), actions, attributes,
                        new StringArray(request.argv().toArray(String[]::new)),
                        new StringArray(request.env().toArray(String[]::new)));
                if (error != 0) {
                    throw new LinuxException("posix_spawn(" + Linux.quote(request.path()) + ")", error);
                }
                return pid.getValue();
            } finally {
                C.posix_spawnattr_destroy(attributes);
            }
        } finally {
            C.posix_spawn_file_actions_destroy(actions);
        }
    }

    private static void fileActions(Memory actions, Request request) {
        if (request.holdUntilOpened().isPresent()) {
            // Opened on descriptor 0 and replaced right below: all it does is block.
            check(C.posix_spawn_file_actions_addopen(actions, 0, request.holdUntilOpened().get(), LibC.O_RDONLY, 0),
                    "posix_spawn_file_actions_addopen(fifo)");
        }
        stdio(actions, request.stdin(), 0, LibC.O_RDONLY);
        stdio(actions, request.stdout(), 1, LibC.O_WRONLY);
        stdio(actions, request.stderr(), 2, LibC.O_WRONLY);
        check(C.posix_spawn_file_actions_addclosefrom_np(actions, 3), "posix_spawn_file_actions_addclosefrom_np(3)");
        if (request.workingDirectory().isPresent()) {
            check(C.posix_spawn_file_actions_addchdir_np(actions, request.workingDirectory().get()),
                    "posix_spawn_file_actions_addchdir_np(" + Linux.quote(request.workingDirectory().get()) + ")");
        }
    }

    private static void stdio(Memory actions, Stdio stdio, int target, int devNullMode) {
        if (stdio.fd() == Stdio.DEV_NULL) {
            check(C.posix_spawn_file_actions_addopen(actions, target, "/dev/null", devNullMode, 0),
                    "posix_spawn_file_actions_addopen(" + target + ", /dev/null)");
        } else if (stdio.fd() != Stdio.INHERIT) {
            check(C.posix_spawn_file_actions_adddup2(actions, stdio.fd(), target),
                    "posix_spawn_file_actions_adddup2(" + stdio.fd() + ", " + target + ")");
        }
    }

    private static void check(int error, String call) {
        if (error != 0) {
            throw new LinuxException(call, error);
        }
    }

    private static Optional<Function> lookup(String name) {
        try {
            return Optional.of(NativeLibrary.getInstance(com.sun.jna.Platform.C_LIBRARY_NAME).getFunction(name));
        } catch (UnsatisfiedLinkError absent) {
            return Optional.empty();
        }
    }
}
