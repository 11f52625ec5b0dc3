package dev.containerized.internal.linux;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;

import java.util.List;

/**
 * spawn.h: glibc's posix_spawn(3), the one safe way to start a process from a multithreaded JVM: the
 * child runs only glibc's code between clone and execve. Used once per container, for its PID 1.
 */
public final class Spawn {
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80;
    /** sizeof(posix_spawn_file_actions_t) is 80 and sizeof(posix_spawnattr_t) 336 on x86_64 and aarch64. */
    private static final int OPAQUE_SIZE = 1024;
    private static final int SIGSET_SIZE = 128;

    private Spawn() {
    }

    /**
     * Starts {@code path} with {@code argv} and {@code env}; {@code fds[i]} becomes descriptor i of the
     * child and nothing else is inherited. The child leads a session of its own (away from any
     * terminal of the test JVM), with default signal handling and an empty signal mask.
     */
    public static int spawn(String path, List<String> argv, List<String> env, int[] fds) {
        Memory actions = new Memory(OPAQUE_SIZE);
        Memory attributes = new Memory(OPAQUE_SIZE);
        Libc.checkReturned(C.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
        try {
            Libc.checkReturned(C.posix_spawnattr_init(attributes), "posix_spawnattr_init");
            try {
                for (int i = 0; i < fds.length; i++) {
                    Libc.checkReturned(C.posix_spawn_file_actions_adddup2(actions, fds[i], i), "posix_spawn_file_actions_adddup2");
                }
                Libc.checkReturned(C.posix_spawn_file_actions_addclosefrom_np(actions, fds.length), "posix_spawn_file_actions_addclosefrom_np");
                Memory all = new Memory(SIGSET_SIZE);
                C.sigfillset(all);
                Memory none = new Memory(SIGSET_SIZE);
                C.sigemptyset(none);
                Libc.checkReturned(C.posix_spawnattr_setsigdefault(attributes, all), "posix_spawnattr_setsigdefault");
                Libc.checkReturned(C.posix_spawnattr_setsigmask(attributes, none), "posix_spawnattr_setsigmask");
                Libc.checkReturned(C.posix_spawnattr_setflags(attributes,
                        (short) (POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)), "posix_spawnattr_setflags");
                int[] pid = new int[1];
                int error = C.posix_spawn(pid, path, actions, attributes, new StringArray(argv.toArray(String[]::new), "UTF-8"),
                        new StringArray(env.toArray(String[]::new), "UTF-8"));
                Libc.checkReturned(error, "posix_spawn(" + Libc.quote(path) + ")");
                return pid[0];
            } finally {
                C.posix_spawnattr_destroy(attributes);
            }
        } finally {
            C.posix_spawn_file_actions_destroy(actions);
        }
    }

    private static final class C {
        static {
            Libc.register(C.class);
        }

        static native int posix_spawn(int[] pid, String path, Pointer fileActions, Pointer attributes, Pointer argv, Pointer envp);

        static native int posix_spawn_file_actions_init(Pointer fileActions);

        static native int posix_spawn_file_actions_destroy(Pointer fileActions);

        static native int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newfd);

        static native int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

        static native int posix_spawnattr_init(Pointer attributes);

        static native int posix_spawnattr_destroy(Pointer attributes);

        static native int posix_spawnattr_setflags(Pointer attributes, short flags);

        static native int posix_spawnattr_setsigmask(Pointer attributes, Pointer sigmask);

        static native int posix_spawnattr_setsigdefault(Pointer attributes, Pointer sigdefault);

        static native int sigfillset(Pointer set);

        static native int sigemptyset(Pointer set);
    }
}
