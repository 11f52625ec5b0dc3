/* Escape attempts from inside a container, one per command, for the escape suite (EscapeTests).
 *
 * Each attempt makes the raw system call a hostile program would and prints one line per call:
 *   "refused NAME ERRNO"  the call failed, with the errno's name
 *   "ALLOWED NAME RESULT" the call went through
 * and a few attempts print facts ("fds 0 1 2", "where cwd=/ ...") for the test to judge. The exit status
 * is 0 when every call was refused, 10 when one went through. Every attempt is chosen so that it would
 * do no harm to the host even if it got through: arguments the kernel rejects after its permission
 * checks, values written back unchanged, files in the container's own directories.
 *
 * Built static by the test (gcc -static) and put into a copy of the built-in rootfs as /bin/attack. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/kexec.h>
#include <linux/mount.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static int allowed;

static const char *errno_name(int error)
{
    const char *name = strerrorname_np(error);
    return name != NULL ? name : "E?";
}

/* Reports one call: rc < 0 is a refusal, with errno. */
static long judge(const char *name, long rc)
{
    if (rc < 0) {
        printf("refused %s %s\n", name, errno_name(errno));
    } else {
        printf("ALLOWED %s %ld\n", name, rc);
        allowed = 1;
    }
    fflush(stdout);
    return rc;
}

static int usage(void)
{
    fprintf(stderr, "usage: attack NAME [ARGS]; see the source for the names\n");
    return 2;
}

static int namespace_flag(const char *name)
{
    static const struct { const char *name; int flag; } flags[] = {
        { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS }, { "net", CLONE_NEWNET }, { "pid", CLONE_NEWPID },
        { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
    };
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (strcmp(flags[i].name, name) == 0)
            return flags[i].flag;
    fprintf(stderr, "attack: unknown namespace %s\n", name);
    exit(2);
}

/* A child made by raw clone(2) with a namespace flag: it exits at once. */
static long clone_into(int flag)
{
    long pid = syscall(SYS_clone, (unsigned long) (flag | SIGCHLD), 0, 0, 0, 0);
    if (pid == 0)
        _exit(0);
    if (pid > 0)
        waitpid((pid_t) pid, NULL, 0);
    return pid;
}

static long clone3_plain(void)
{
    struct { uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls; } args = { 0 };
    args.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0)
        _exit(0);
    if (pid > 0)
        waitpid((pid_t) pid, NULL, 0);
    return pid;
}

static long perf_event(void)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.type = PERF_TYPE_SOFTWARE;
    attr.size = sizeof attr;
    attr.config = PERF_COUNT_SW_CPU_CLOCK;
    attr.disabled = 1;
    return syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
}

static long bpf_map(void)
{
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.map_type = BPF_MAP_TYPE_ARRAY;
    attr.key_size = 4;
    attr.value_size = 4;
    attr.max_entries = 1;
    return syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr);
}

/* ptrace(PTRACE_ATTACH): detached again at once if it worked. */
static long attach(pid_t pid)
{
    long rc = ptrace(PTRACE_ATTACH, pid, 0, 0);
    if (rc == 0) {
        waitpid(pid, NULL, __WALL);
        ptrace(PTRACE_DETACH, pid, 0, 0);
    }
    return rc;
}

static long read_memory(pid_t pid)
{
    char buffer[8];
    static char somewhere[8];
    struct iovec local = { buffer, sizeof buffer }, remote = { somewhere, sizeof somewhere };
    return syscall(SYS_process_vm_readv, pid, &local, 1, &remote, 1, 0);
}

static long steal_fd(pid_t pid, int fd)
{
    int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0)
        return judge("pidfd_open", -1);
    return syscall(SYS_pidfd_getfd, pidfd, fd, 0);
}

/* Opens a path; with "r", also reads what it can and says how many bytes there were. */
static void open_path(const char *path, const char *how)
{
    int flags = strcmp(how, "w") == 0 ? O_WRONLY : strcmp(how, "rw") == 0 ? O_RDWR
              : strcmp(how, "path") == 0 ? O_PATH : strcmp(how, "dir") == 0 ? O_RDONLY | O_DIRECTORY : O_RDONLY;
    char name[4200];
    snprintf(name, sizeof name, "open %s %s", how, path);
    int fd = (int) judge(name, open(path, flags | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
    if (fd >= 0 && strcmp(how, "r") == 0) {
        char buffer[65536];
        ssize_t n = read(fd, buffer, sizeof buffer);
        printf("read %s %zd%s%s\n", path, n, n < 0 ? " " : "", n < 0 ? errno_name(errno) : "");
    }
}

/* Writes `text` to an existing file: for /proc and /sys, values that are already there. */
static void write_path(const char *path, const char *text)
{
    char name[4200];
    snprintf(name, sizeof name, "open-for-write %s", path);
    int fd = (int) judge(name, open(path, O_WRONLY | O_CLOEXEC));
    if (fd < 0)
        return;
    snprintf(name, sizeof name, "write %s", path);
    judge(name, write(fd, text, strlen(text)));
    close(fd);
}

static char process_state(pid_t pid)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return '?';
    char state = '?';
    if (fgets(line, sizeof line, f) != NULL) {
        char *close_paren = strrchr(line, ')');
        if (close_paren != NULL && close_paren[1] == ' ')
            state = close_paren[2];
    }
    fclose(f);
    return state;
}

/* Every signal that could end or stop PID 1, sent from inside: the kernel drops them for a namespace's init. */
static void signal_init(void)
{
    int signals[] = { SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGSEGV, SIGSTOP, SIGQUIT };
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "kill-1-%s", sigabbrev_np(signals[i]));
        judge(name, kill(1, signals[i]));
    }
    usleep(200 * 1000);
    printf("init state %c alive %s\n", process_state(1), kill(1, 0) == 0 ? "yes" : "no");
}

/* chroot into a subdirectory, climb far above it, chroot there: the classic escape from a chroot. */
static void chroot_escape(const char *marker)
{
    struct stat before, after;
    stat("/", &before);
    mkdir("/tmp/chroot-escape", 0700);
    if (judge("chroot /tmp/chroot-escape", chroot("/tmp/chroot-escape")) < 0)
        return;
    for (int i = 0; i < 64; i++)
        if (chdir("..") < 0)
            break;
    judge("chroot .", chroot("."));
    stat("/", &after);
    int same = before.st_dev == after.st_dev && before.st_ino == after.st_ino;
    printf("root after escape: %s\n", same ? "the container's" : "ANOTHER");
    printf("host marker %s: %s\n", marker, access(marker, F_OK) == 0 ? "VISIBLE" : "not visible");
    if (!same || access(marker, F_OK) == 0)
        allowed = 1;
}

/* The "shocker" attack: a handle of inode 2 (the root of an ext4 filesystem), opened by handle. */
static void open_by_handle(void)
{
    struct { struct file_handle handle; uint32_t words[2]; } h;
    memset(&h, 0, sizeof h);
    h.handle.handle_bytes = 8;
    h.handle.handle_type = 1; /* FILEID_INO32_GEN */
    h.words[0] = 2;
    int root = open("/", O_RDONLY | O_DIRECTORY);
    judge("open_by_handle_at", syscall(SYS_open_by_handle_at, root, &h.handle, O_RDONLY));
}

static void mknod_open(const char *path, const char *kind, unsigned major_number, unsigned minor_number)
{
    mode_t type = kind[0] == 'b' ? S_IFBLK : S_IFCHR;
    unlink(path);
    char name[4200];
    snprintf(name, sizeof name, "mknod %s", path);
    if (judge(name, mknod(path, type | 0600, makedev(major_number, minor_number))) < 0)
        return;
    snprintf(name, sizeof name, "open-node %s", path);
    int fd = (int) judge(name, open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (fd >= 0)
        close(fd);
    unlink(path);
}

/* Every descriptor this process has: only stdio is expected (CVE-2024-21626 leaked a host directory). */
static void list_fds(void)
{
    printf("fds");
    for (int fd = 0; fd < 65536; fd++)
        if (fcntl(fd, F_GETFD) >= 0)
            printf(" %d", fd);
    printf("\n");
}

static void where(void)
{
    char cwd[4096] = "", root[4096] = "";
    ssize_t n = readlink("/proc/self/cwd", cwd, sizeof cwd - 1);
    cwd[n > 0 ? n : 0] = '\0';
    n = readlink("/proc/self/root", root, sizeof root - 1);
    root[n > 0 ? n : 0] = '\0';
    struct stat slash, up, here;
    stat("/", &slash);
    stat("/..", &up);
    stat(".", &here);
    char buffer[4096];
    printf("where cwd=%s root=%s getcwd=%s root-is-its-own-parent=%s\n", cwd, root,
           getcwd(buffer, sizeof buffer) != NULL ? buffer : errno_name(errno),
           slash.st_dev == up.st_dev && slash.st_ino == up.st_ino ? "yes" : "no");
}

/* TIOCSTI: pushes `text` and a newline into the input of the terminal on stdin, as if typed; with
 * `read_back`, then reads what that terminal holds (to show where the text went), else leaves it there
 * for whoever reads that terminal next. */
static void tiocsti(const char *text, int read_back)
{
    long rc = 0;
    for (const char *c = text; *c != '\0' && rc == 0; c++)
        rc = ioctl(STDIN_FILENO, TIOCSTI, c);
    if (rc == 0)
        rc = ioctl(STDIN_FILENO, TIOCSTI, "\n");
    judge("TIOCSTI", rc);
    if (rc == 0 && read_back) {
        char buffer[256];
        struct pollfd in = { STDIN_FILENO, POLLIN, 0 };
        ssize_t n = poll(&in, 1, 2000) > 0 ? read(STDIN_FILENO, buffer, sizeof buffer - 1) : 0;
        buffer[n > 0 ? n : 0] = '\0';
        buffer[strcspn(buffer, "\r\n")] = '\0';
        printf("the container's own terminal read back: [%s]\n", buffer);
    }
    fflush(stdout);
}

/* CVE-2019-5736: opens /proc/N/exe of every other process, again and again, while commands start.
 * What opens must be a file of the container; the sealed init, were it reachable, must refuse writes. */
static void exe_watch(int seconds)
{
    long opened = 0, inside = 0, memfd = 0, outside = 0, attempts = 0, denied = 0, writable = 0;
    pid_t self = getpid();
    time_t end = time(NULL) + seconds;
    while (time(NULL) < end) {
        DIR *proc = opendir("/proc");
        struct dirent *entry;
        while (proc != NULL && (entry = readdir(proc)) != NULL) {
            pid_t pid = (pid_t) atoi(entry->d_name);
            if (pid <= 0 || pid == self)
                continue;
            char path[64];
            snprintf(path, sizeof path, "/proc/%d/exe", pid);
            attempts++;
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                if (errno == EACCES || errno == EPERM)
                    denied++;
                continue;
            }
            opened++;
            char link[64], target[4096];
            snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
            ssize_t n = readlink(link, target, sizeof target - 1);
            target[n > 0 ? n : 0] = '\0';
            struct stat got, there;
            fstat(fd, &got);
            if (strncmp(target, "/memfd:", 7) == 0) {
                memfd++;
                int w = open(link, O_WRONLY | O_CLOEXEC);
                if (w >= 0 || fchmod(fd, 0777) == 0) {
                    writable++;
                    printf("WRITABLE init %s\n", target);
                }
                if (w >= 0)
                    close(w);
            } else if (stat(target, &there) == 0 && there.st_dev == got.st_dev && there.st_ino == got.st_ino) {
                inside++;
            } else {
                outside++;
                printf("OUTSIDE pid %d exe %s\n", pid, target);
            }
            close(fd);
        }
        if (proc != NULL)
            closedir(proc);
    }
    printf("exe-watch attempts %ld opened %ld inside %ld memfd %ld outside %ld writable %ld denied %ld\n",
           attempts, opened, inside, memfd, outside, writable, denied);
    if (outside > 0 || writable > 0)
        allowed = 1;
}

/* AF_PACKET sees the interfaces of the container's network namespace; binding to another index fails. */
static void packet(int ifindex)
{
    int fd = (int) judge("socket AF_PACKET", socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL)));
    struct if_nameindex *names = if_nameindex();
    printf("interfaces");
    for (struct if_nameindex *i = names; i != NULL && i->if_index != 0; i++)
        printf(" %u:%s", i->if_index, i->if_name);
    printf("\n");
    if (fd >= 0 && ifindex > 0) {
        struct { unsigned short family, protocol; int ifindex; unsigned short hatype; unsigned char pkttype, halen, addr[8]; }
            address = { AF_PACKET, htons(ETH_P_ALL), ifindex, 0, 0, 0, { 0 } };
        char name[64];
        snprintf(name, sizeof name, "bind AF_PACKET ifindex %d", ifindex);
        judge(name, bind(fd, (struct sockaddr *) &address, sizeof address));
    }
}

/* For `seconds`, exchanges DIR/A and DIR/B (of any kinds) as fast as it can: what the host's side of a
 * copy looked at is, a moment later, the other one. */
static void exchange(const char *directory, const char *a, const char *b, int seconds)
{
    int dir = open(directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
    time_t end = time(NULL) + seconds;
    long n = 0;
    while (dir >= 0 && time(NULL) < end && syscall(SYS_renameat2, dir, a, dir, b, 2 /* RENAME_EXCHANGE */) == 0)
        n++;
    printf("exchanged %ld\n", n);
}

/* For `seconds`, whenever DIR/NAME is a directory, moves it aside and puts a link NAME -> TARGET in its
 * place: a copy going into DIR/NAME by its path would go to TARGET. */
static void swap_for_link(const char *directory, const char *name, const char *target, int seconds)
{
    int dir = open(directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
    time_t end = time(NULL) + seconds;
    long n = 0;
    char aside[64];
    struct stat st;
    while (dir >= 0 && time(NULL) < end) {
        if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
            snprintf(aside, sizeof aside, ".aside%ld", n++);
            if (renameat(dir, name, dir, aside) == 0)
                symlinkat(target, dir, name);
        }
    }
    printf("swapped %ld\n", n);
}

/* For `seconds`, keeps putting a fresh fifo at DIR/NAME (made aside, renamed over NAME), each with a reader
 * of its own held open: an open for writing by anyone, the host's copy included, shows as POLLHUP on that
 * reader once the writer has closed (a fifo no writer ever opened never reports it). Prints how many
 * fifos were planted and how many were opened for writing. */
static void plant_fifos(const char *directory, const char *name, int seconds)
{
    enum { READERS = 256 };
    struct pollfd readers[READERS];
    int held = 0;
    long planted = 0, opened = 0;
    int dir = open(directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
    time_t end = time(NULL) + seconds;
    while (dir >= 0 && time(NULL) < end) {
        char aside[64];
        snprintf(aside, sizeof aside, ".fifo%ld", planted);
        if (mkfifoat(dir, aside, 0666) != 0)
            break;
        int reader = openat(dir, aside, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (reader < 0 || renameat(dir, aside, dir, name) != 0) {
            unlinkat(dir, aside, 0);
            if (reader >= 0)
                close(reader);
            continue;
        }
        planted++;
        if (held == READERS) { /* the oldest: counted, then closed */
            poll(readers, 1, 0);
            opened += (readers[0].revents & POLLHUP) != 0;
            close(readers[0].fd);
            memmove(readers, readers + 1, (READERS - 1) * sizeof readers[0]);
            held--;
        }
        readers[held++] = (struct pollfd) { .fd = reader, .events = POLLIN };
    }
    usleep(100000);
    poll(readers, (nfds_t) held, 0);
    for (int i = 0; i < held; i++)
        opened += (readers[i].revents & POLLHUP) != 0;
    printf("planted %ld opened %ld\n", planted, opened);
}

/* For `seconds`, holds a write lease on FILE (root in the container owns the host's root-owned files of a
 * read-write bind), ignoring the lease-break signal and taking the lease again once the kernel broke it:
 * a blocking open of FILE on the host waits out /proc/sys/fs/lease-break-time each time. */
static void hold_lease(const char *file, int seconds)
{
    signal(SIGIO, SIG_IGN);
    int fd = open(file, O_RDWR | O_CLOEXEC);
    if (fd < 0 || fcntl(fd, F_SETLEASE, F_WRLCK) < 0) {
        printf("lease %s: %s\n", file, errno_name(errno));
        return;
    }
    printf("leased\n");
    fflush(stdout);
    time_t end = time(NULL) + seconds;
    while (time(NULL) < end) {
        usleep(10000);
        if (fcntl(fd, F_GETLEASE) == F_UNLCK) {
            close(fd);
            fd = open(file, O_RDWR | O_CLOEXEC);
            fcntl(fd, F_SETLEASE, F_WRLCK); /* fails while the opener still holds it: tried again */
        }
    }
}

/* SIGSTOPs, for `seconds`, every child of PID 1 still before its execve (its name is still PID 1's,
 * "containerized-init", cut to 15 bytes), one line per stopped child: PID 1 forks commands, and one
 * stopped there must not stop PID 1. */
static void stop_unborn(int seconds)
{
    time_t end = time(NULL) + seconds;
    pid_t me = getpid();
    while (time(NULL) < end) {
        DIR *proc = opendir("/proc");
        struct dirent *entry;
        while (proc != NULL && (entry = readdir(proc)) != NULL) {
            pid_t pid = (pid_t) atoi(entry->d_name);
            if (pid <= 1 || pid == me)
                continue;
            char path[64], stat[512];
            snprintf(path, sizeof path, "/proc/%d/stat", pid);
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                continue;
            ssize_t n = read(fd, stat, sizeof stat - 1);
            close(fd);
            if (n <= 0)
                continue;
            stat[n] = 0;
            char *after_name = strrchr(stat, ')');
            if (after_name != NULL && strstr(stat, "(containerized-i") != NULL && atoi(after_name + 4) == 1
                && kill(pid, SIGSTOP) == 0)
                printf("stopped %d\n", pid);
        }
        if (proc != NULL)
            closedir(proc);
    }
}

/* What the host has to clean up after the container: below `top`, directories nested `depth` levels (far
 * past PATH_MAX, made relative to the one before), names that are no text, a link to a host file, a fifo,
 * a directory and a file nobody may read. */
static void litter(const char *top, int depth)
{
    if (mkdir(top, 0755) < 0 || chdir(top) < 0) {
        judge("litter", -1);
        return;
    }
    symlink("/etc/passwd", "link-to-a-host-file");
    mkfifo("fifo", 0600);
    close(open("\377\376 not text", O_CREAT | O_WRONLY | O_CLOEXEC, 0));
    mkdir("closed", 0);
    close(open("closed-file", O_CREAT | O_WRONLY | O_CLOEXEC, 0));
    int made = 0;
    for (; made < depth; made++) {
        if (mkdir("d", 0755) < 0 || chdir("d") < 0)
            break;
        if (made % 1000 == 0)
            close(open("file", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
    }
    printf("nested %d levels, %d bytes of path\n", made, made * 2);
}

static long same_tick(void)
{
    struct timex now = { 0 };
    if (adjtimex(&now) < 0)
        return -1;
    struct timex again = { .modes = ADJ_TICK, .tick = now.tick };
    return adjtimex(&again);
}

static long same_tick_clock(void)
{
    struct timex now = { 0 };
    if (clock_adjtime(CLOCK_REALTIME, &now) < 0)
        return -1;
    struct timex again = { .modes = ADJ_TICK, .tick = now.tick };
    return clock_adjtime(CLOCK_REALTIME, &again);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const char *what = argv[1];
    char **arg = argv + 2;
    int args = argc - 2;
    setvbuf(stdout, NULL, _IOLBF, 0);

    if (strcmp(what, "as") == 0 && args >= 2) {
        /* as UID PROGRAM ARGS: drops to that user (and group), as an unprivileged process in the container. */
        uid_t uid = (uid_t) atoi(arg[0]);
        if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0) {
            perror("attack as");
            return 2;
        }
        execvp(arg[1], arg + 1);
        perror("attack as: execvp");
        return 2;
    } else if (strcmp(what, "foreign-arch") == 0 && args == 1) {
        /* getpid through another architecture's door, where the profile's numbers mean other calls. */
#if defined(__x86_64__)
        long rc;
        if (strcmp(arg[0], "i386") == 0)
            __asm__ volatile("int $0x80" : "=a"(rc) : "a"(20L) : "memory"); /* i386: 20 is getpid */
        else
            rc = syscall(0x40000000L | SYS_getpid); /* x32 */
        judge(arg[0], rc);
#else
        printf("not x86_64\n");
#endif
    } else if (strcmp(what, "abstract-listen") == 0 && args == 2) {
        /* A listener on an abstract unix socket (no file: the network namespace is its only fence). */
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un address = { .sun_family = AF_UNIX };
        strncpy(address.sun_path + 1, arg[0], sizeof address.sun_path - 2);
        socklen_t length = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + strlen(arg[0]));
        judge("abstract-listen", bind(fd, (struct sockaddr *) &address, length) == 0 ? listen(fd, 1) : -1);
        sleep((unsigned) atoi(arg[1]));
    } else if (strcmp(what, "abstract-connect") == 0 && args == 1) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un address = { .sun_family = AF_UNIX };
        strncpy(address.sun_path + 1, arg[0], sizeof address.sun_path - 2);
        socklen_t length = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + strlen(arg[0]));
        judge("abstract-connect", connect(fd, (struct sockaddr *) &address, length));
    } else if (strcmp(what, "tcp-connect") == 0 && args == 2) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t) atoi(arg[1])) };
        inet_pton(AF_INET, arg[0], &address.sin_addr);
        judge("tcp-connect", connect(fd, (struct sockaddr *) &address, sizeof address));
    } else if (strcmp(what, "exchange") == 0 && args == 4) {
        exchange(arg[0], arg[1], arg[2], atoi(arg[3]));
    } else if (strcmp(what, "swap-for-link") == 0 && args == 4) {
        swap_for_link(arg[0], arg[1], arg[2], atoi(arg[3]));
    } else if (strcmp(what, "plant-fifos") == 0 && args == 3) {
        plant_fifos(arg[0], arg[1], atoi(arg[2]));
    } else if (strcmp(what, "lease") == 0 && args == 2) {
        hold_lease(arg[0], atoi(arg[1]));
    } else if (strcmp(what, "stop-unborn") == 0 && args == 1) {
        stop_unborn(atoi(arg[0]));
    } else if (strcmp(what, "litter") == 0 && args == 2) {
        litter(arg[0], atoi(arg[1]));
    } else if (strcmp(what, "fds") == 0) {
        list_fds();
    } else if (strcmp(what, "where") == 0) {
        where();
    } else if (strcmp(what, "unshare") == 0 && args == 1) {
        judge(arg[0], unshare(namespace_flag(arg[0])));
    } else if (strcmp(what, "clone") == 0 && args == 1) {
        judge(arg[0], clone_into(namespace_flag(arg[0])));
    } else if (strcmp(what, "clone3") == 0) {
        judge("clone3", clone3_plain());
    } else if (strcmp(what, "setns") == 0 && args == 1) {
        int fd = (int) judge(arg[0], open(arg[0], O_RDONLY | O_CLOEXEC));
        if (fd >= 0)
            judge("setns", setns(fd, 0));
    } else if (strcmp(what, "keyring") == 0) {
        judge("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -4 /* KEY_SPEC_USER_KEYRING */, 0));
        judge("add_key", syscall(SYS_add_key, "user", "containerized-attack", "x", 1, -2 /* KEY_SPEC_PROCESS_KEYRING */));
        judge("request_key", syscall(SYS_request_key, "user", "containerized-attack", NULL, 0));
    } else if (strcmp(what, "io_uring") == 0) {
        char params[256] = { 0 }; /* struct io_uring_params, zeroed */
        judge("io_uring_setup", syscall(SYS_io_uring_setup, 1, params));
    } else if (strcmp(what, "userfaultfd") == 0) {
        judge("userfaultfd", syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK));
    } else if (strcmp(what, "perf_event_open") == 0) {
        judge("perf_event_open", perf_event());
    } else if (strcmp(what, "bpf") == 0) {
        judge("bpf", bpf_map());
    } else if (strcmp(what, "mount") == 0 && args >= 2) {
        judge("mount", mount(arg[0], arg[1], arg[0], 0, args > 2 ? arg[2] : NULL));
    } else if (strcmp(what, "bind") == 0 && args == 2) {
        judge("bind", mount(arg[0], arg[1], NULL, MS_BIND, NULL));
    } else if (strcmp(what, "remount-rw") == 0 && args == 1) {
        judge("remount-rw", mount(NULL, arg[0], NULL, MS_REMOUNT | MS_BIND, NULL));
    } else if (strcmp(what, "umount") == 0 && args == 1) {
        judge("umount", umount2(arg[0], MNT_DETACH));
    } else if (strcmp(what, "new-mount-api") == 0) {
        judge("fsopen", syscall(SYS_fsopen, "tmpfs", 0));
        judge("fspick", syscall(SYS_fspick, AT_FDCWD, "/proc/sys", 0));
        judge("open_tree", syscall(SYS_open_tree, AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
        struct mount_attr attr = { .attr_clr = MOUNT_ATTR_RDONLY };
        judge("mount_setattr", syscall(SYS_mount_setattr, AT_FDCWD, "/proc/sys", 0, &attr, sizeof attr));
        judge("move_mount", syscall(SYS_move_mount, AT_FDCWD, "/proc/sys", AT_FDCWD, "/tmp", 0));
    } else if (strcmp(what, "pivot_root") == 0) {
        mkdir("/tmp/new-root", 0700);
        mkdir("/tmp/new-root/old", 0700);
        judge("pivot_root", syscall(SYS_pivot_root, "/tmp/new-root", "/tmp/new-root/old"));
    } else if (strcmp(what, "chroot-escape") == 0 && args == 1) {
        chroot_escape(arg[0]);
    } else if (strcmp(what, "ptrace") == 0 && args == 1) {
        judge("ptrace", attach((pid_t) atoi(arg[0])));
    } else if (strcmp(what, "process_vm_readv") == 0 && args == 1) {
        judge("process_vm_readv", read_memory((pid_t) atoi(arg[0])));
    } else if (strcmp(what, "pidfd_getfd") == 0 && args == 2) {
        judge("pidfd_getfd", steal_fd((pid_t) atoi(arg[0]), atoi(arg[1])));
    } else if (strcmp(what, "open") == 0 && args == 2) {
        open_path(arg[0], arg[1]);
    } else if (strcmp(what, "write") == 0 && args == 2) {
        write_path(arg[0], arg[1]);
    } else if (strcmp(what, "kill") == 0 && args == 2) {
        judge("kill", kill((pid_t) atoi(arg[0]), atoi(arg[1])));
    } else if (strcmp(what, "signal-init") == 0) {
        signal_init();
    } else if (strcmp(what, "modules") == 0) {
        judge("init_module", syscall(SYS_init_module, NULL, 0, ""));
        judge("finit_module", syscall(SYS_finit_module, -1, "", 0));
        judge("delete_module", syscall(SYS_delete_module, "containerized_no_such_module", O_NONBLOCK));
    } else if (strcmp(what, "kexec") == 0) {
        /* Past the permission checks these fail on their arguments: too many segments, unknown flags. */
        judge("kexec_load", syscall(SYS_kexec_load, 0, 1000, NULL, KEXEC_ARCH_DEFAULT));
        judge("kexec_file_load", syscall(SYS_kexec_file_load, -1, -1, 0, "", ~0ul));
    } else if (strcmp(what, "reboot") == 0) {
        /* In a child pid namespace the kernel answers this command with EINVAL, never with a reboot. */
        judge("reboot", syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_CAD_OFF, NULL));
    } else if (strcmp(what, "clock") == 0) {
        /* Out-of-range values: past the permission checks the kernel refuses them with EINVAL. */
        struct timeval bad_tv = { 0, 2000000 };
        judge("settimeofday", syscall(SYS_settimeofday, &bad_tv, NULL));
        struct timespec bad_ts = { 0, 2000000000 };
        judge("clock_settime", syscall(SYS_clock_settime, CLOCK_REALTIME, &bad_ts));
        /* adjtimex is allowed by the profile (to read the clock); setting it, even to the same tick, needs CAP_SYS_TIME. */
        judge("adjtimex-set", same_tick());
        judge("clock_adjtime-set", same_tick_clock());
    } else if (strcmp(what, "personality") == 0 && args == 1) {
        unsigned long persona = strtoul(arg[0], NULL, 0);
        long rc = syscall(SYS_personality, persona);
        char name[64];
        snprintf(name, sizeof name, "personality %#lx", persona);
        judge(name, rc);
        if (rc >= 0)
            syscall(SYS_personality, (unsigned long) rc);
    } else if (strcmp(what, "open_by_handle_at") == 0) {
        open_by_handle();
    } else if (strcmp(what, "mknod-open") == 0 && args == 4) {
        mknod_open(arg[0], arg[1], (unsigned) atoi(arg[2]), (unsigned) atoi(arg[3]));
    } else if (strcmp(what, "ptmx") == 0) {
        int fd = (int) judge("open /dev/ptmx", open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
        unsigned number = 0;
        if (fd >= 0 && ioctl(fd, TIOCGPTN, &number) == 0)
            printf("pty %u\n", number);
    } else if (strcmp(what, "tiocsti") == 0 && args == 1) {
        tiocsti(arg[0], 0);
    } else if (strcmp(what, "tiocsti-read-back") == 0 && args == 1) {
        tiocsti(arg[0], 1);
    } else if (strcmp(what, "exe-watch") == 0 && args == 1) {
        exe_watch(atoi(arg[0]));
    } else if (strcmp(what, "socket") == 0 && args == 3) {
        char name[64];
        snprintf(name, sizeof name, "socket %s %s %s", arg[0], arg[1], arg[2]);
        judge(name, socket(atoi(arg[0]), atoi(arg[1]) | SOCK_CLOEXEC, atoi(arg[2])));
    } else if (strcmp(what, "packet") == 0 && args == 1) {
        packet(atoi(arg[0]));
    } else if (strcmp(what, "setxattr") == 0 && args == 3) {
        judge(arg[1], setxattr(arg[0], arg[1], arg[2], strlen(arg[2]), 0));
    } else if (strcmp(what, "syslog") == 0) {
        static char log[1 << 16];
        judge("syslog", syscall(SYS_syslog, 3 /* SYSLOG_ACTION_READ_ALL */, log, (int) sizeof log));
    } else if (strcmp(what, "raw-io") == 0) {
        judge("iopl", syscall(SYS_iopl, 3));
        judge("ioperm", syscall(SYS_ioperm, 0x80, 1, 1));
    } else if (strcmp(what, "admin") == 0) {
        /* Past the capability check each fails on its argument. */
        judge("swapon", syscall(SYS_swapon, "/containerized-no-such-file", 0));
        judge("acct", syscall(SYS_acct, "/containerized-no-such-file"));
        judge("fanotify_init", syscall(SYS_fanotify_init, 0, O_RDONLY));
        judge("quotactl", syscall(SYS_quotactl, 0, "/containerized-no-such-device", 0, NULL));
        judge("sethostname", syscall(SYS_sethostname, "escaped", 7));
    } else {
        return usage();
    }
    return allowed ? 10 : 0;
}
