package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;

/**
 * The glibc calls this project makes, mapped by JNA. Calls declared {@code throws LastErrorException}
 * return -1 and set errno on failure (JNA captures errno for us); the {@code posix_spawn*} family
 * returns the error number itself and leaves errno alone. Callers use {@link Linux}, which turns both
 * into a {@link LinuxException} naming the call, its arguments and the errno name.
 */
public interface LibC extends Library {
    /** By its soname: a bare "c" makes JNA run ldconfig -p to find it, a process start per JVM. */
    LibC INSTANCE = Native.load(Platform.C_LIBRARY_NAME, LibC.class);

    // sched.h
    int CLONE_FS = 0x00000200;
    int CLONE_NEWNS = 0x00020000;
    int CLONE_NEWCGROUP = 0x02000000;
    int CLONE_NEWUTS = 0x04000000;
    int CLONE_NEWIPC = 0x08000000;
    int CLONE_NEWPID = 0x20000000;
    int CLONE_NEWNET = 0x40000000;

    // sys/mount.h
    long MS_RDONLY = 0x1;
    long MS_NOSUID = 0x2;
    long MS_NODEV = 0x4;
    long MS_NOEXEC = 0x8;
    long MS_REMOUNT = 0x20;
    long MS_BIND = 0x1000;
    long MS_REC = 0x4000;
    long MS_PRIVATE = 0x40000;
    int MNT_DETACH = 0x2;

    // sys/prctl.h and linux/capability.h
    int PR_SET_PDEATHSIG = 1;
    int PR_SET_DUMPABLE = 4;
    int PR_CAPBSET_DROP = 24;
    int PR_SET_NO_NEW_PRIVS = 38;

    // fcntl.h
    int O_RDONLY = 00;
    int O_WRONLY = 01;
    int O_RDWR = 02;
    int O_CREAT = 0100;
    int O_NONBLOCK = 04000;
    int O_DIRECTORY = Syscalls.O_DIRECTORY;
    int O_CLOEXEC = 02000000;

    // spawn.h
    short POSIX_SPAWN_SETSIGDEF = 0x04;
    short POSIX_SPAWN_SETSIGMASK = 0x08;
    short POSIX_SPAWN_SETSID = 0x80;

    // signal.h
    int SIGKILL = 9;
    int SIGTERM = 15;

    // sys/wait.h
    int WNOHANG = 1;
    int __WALL = 0x40000000;

    // sys/socket.h, net/if.h, linux/sockios.h
    int AF_INET = 2;
    int SOCK_DGRAM = 2;
    int SOCK_CLOEXEC = O_CLOEXEC;
    short IFF_UP = 0x1;
    long SIOCGIFFLAGS = 0x8913;
    long SIOCSIFFLAGS = 0x8914;

    /** unshare(2): 0, or -1 and errno (EPERM without CAP_SYS_ADMIN, EINVAL for CLONE_NEWNS on a thread sharing its fs). */
    int unshare(int flags) throws LastErrorException;

    /** sethostname(2): 0, or -1 and errno. */
    int sethostname(String name, long len) throws LastErrorException;

    /** mount(2): 0, or -1 and errno. */
    int mount(String source, String target, String fstype, long flags, String data) throws LastErrorException;

    /** umount2(2): 0, or -1 and errno. */
    int umount2(String target, int flags) throws LastErrorException;

    /** chdir(2), mkdir(2), mknod(2): 0, or -1 and errno. */
    int chdir(String path) throws LastErrorException;

    int mkfifo(String path, int mode) throws LastErrorException;

    /** syscall(2) for calls without a glibc wrapper (pivot_root): the call's result, or -1 and errno. */
    long syscall(long number, Object... args) throws LastErrorException;

    /** prctl(2): non-negative, or -1 and errno. */
    int prctl(int option, long arg2, long arg3, long arg4, long arg5) throws LastErrorException;

    /** gettid(2): never fails. */
    int gettid();

    int getpid();

    int geteuid();

    /** open(2), socket(2): a descriptor, or -1 and errno. */
    int open(String path, int flags, int mode) throws LastErrorException;

    int socket(int domain, int type, int protocol) throws LastErrorException;

    /** ioctl(2): non-negative, or -1 and errno. */
    int ioctl(int fd, long request, Pointer arg) throws LastErrorException;

    /** pipe2(2): 0 and two descriptors, or -1 and errno. */
    int pipe2(int[] fds, int flags) throws LastErrorException;

    /** read(2), write(2): a byte count (0 is end of file for read), or -1 and errno. */
    long read(int fd, byte[] buffer, long count) throws LastErrorException;

    long write(int fd, byte[] buffer, long count) throws LastErrorException;

    /** pread(2): a byte count read at {@code offset}, or -1 and errno. */
    long pread(int fd, byte[] buffer, long count, long offset) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    /** close_range(2), glibc 2.34+ and Linux 5.9+ (CLOSE_RANGE_CLOEXEC: 5.11+): 0, or -1 and errno. */
    int close_range(int first, int last, int flags) throws LastErrorException;

    int CLOSE_RANGE_CLOEXEC = 1 << 2;

    /** fcntl(2) with an int argument: F_SETFD and FD_CLOEXEC. */
    int fcntl(int fd, int cmd, int arg) throws LastErrorException;

    int F_SETFD = 2;
    int FD_CLOEXEC = 1;

    /** kill(2): 0, or -1 and errno (ESRCH when the process is gone). */
    int kill(int pid, int signal) throws LastErrorException;

    /** waitpid(2): the pid whose status changed, 0 with WNOHANG, or -1 and errno (ECHILD: no children). */
    int waitpid(int pid, IntByReference status, int options) throws LastErrorException;

    /** waitid(2): 0, or -1 and errno; with WNOWAIT the child stays a zombie, so its pid is not reused. */
    int waitid(int idtype, int id, Pointer siginfo, int options) throws LastErrorException;

    int P_PID = 1;
    int WEXITED = 4;
    int WNOWAIT = 0x01000000;

    /** execve(2): returns only on failure, -1 and errno. */
    int execve(String path, StringArray argv, StringArray envp) throws LastErrorException;

    /** strerror(3): the message of an errno value. */
    String strerror(int errnum);

    /** sigfillset(3), sigemptyset(3) on a 128-byte sigset_t. */
    int sigfillset(Pointer set);

    int sigemptyset(Pointer set);

    // posix_spawn(3) and friends: 0 on success, else an error number (errno is not set).
    int posix_spawn(IntByReference pid, String path, Pointer fileActions, Pointer attributes,
                    StringArray argv, StringArray envp);

    int posix_spawn_file_actions_init(Pointer fileActions);

    int posix_spawn_file_actions_destroy(Pointer fileActions);

    int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newfd);

    int posix_spawn_file_actions_addopen(Pointer fileActions, int fd, String path, int flags, int mode);

    int posix_spawn_file_actions_addchdir_np(Pointer fileActions, String path);

    int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

    int posix_spawnattr_init(Pointer attributes);

    int posix_spawnattr_destroy(Pointer attributes);

    int posix_spawnattr_setflags(Pointer attributes, short flags);

    int posix_spawnattr_setsigmask(Pointer attributes, Pointer sigmask);

    int posix_spawnattr_setsigdefault(Pointer attributes, Pointer sigdefault);
}
