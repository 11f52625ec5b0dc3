/* Containerized's PID 1, started by the test JVM in a container's new namespaces, from a sealed memfd.
 *
 * fd 0 is the control socket, fds 1 and 2 its log. It joins the container's cgroup, mounts /proc and
 * the container's read-only cgroupfs, says READY; pivots into the container's root when told, says
 * READY again, and then forks commands on request, each confined before its execve; it reaps every
 * child (orphans too: a zombie holds a slot of pids.max) and reports how commands ended. It is tini's
 * job plus a request loop. It ends when the control socket closes; the kernel then kills every process
 * in the pid namespace. In "command as PID 1" mode it confines itself and becomes the command. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"

#define CONTROL 0

/* The commands forked and not yet reaped: id, pid, and until the child's execve is known to have
 * happened or failed, the read end of its report pipe (-1 after). A handful at a time; a linear search
 * is plenty. */
static struct running {
    uint32_t id;
    pid_t pid;
    int report;
} *running;
static size_t running_count, running_capacity;

static void track(uint32_t id, pid_t pid, int report)
{
    if (running_count == running_capacity) {
        running_capacity = running_capacity ? running_capacity * 2 : 16;
        running = realloc(running, running_capacity * sizeof *running);
        if (running == NULL) {
            cz_log("containerized-init: out of memory");
            _exit(1);
        }
    }
    running[running_count++] = (struct running) { id, pid, report };
}

static struct running *find(uint32_t id, pid_t pid)
{
    for (size_t i = 0; i < running_count; i++)
        if ((id != 0 && running[i].id == id) || (pid != 0 && running[i].pid == pid))
            return &running[i];
    return NULL;
}

/* Forks a command; the child confines itself and execs. Until its execve, the child holds the write
 * end of a close-on-exec pipe: end of file means it runs, a FAILED message means it never will. PID 1
 * does not wait for that here: a process of the container may stop the child before its execve
 * (SIGSTOP, which nothing can block), and PID 1 must go on serving and reaping; serve() polls the pipe. */
static void start(struct cz_command *command, const struct cz_confinement *confinement)
{
    int report[2];
    if (pipe2(report, O_CLOEXEC) < 0) {
        uint32_t failed[3] = { command->id, CZ_STAGE_FORK, (uint32_t) errno };
        cz_send(CONTROL, CZ_FAILED, failed, 3);
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(report[0]);
        cz_become(command, confinement, report[1], 0);
    }
    close(report[1]);
    if (pid < 0) {
        /* EAGAIN here is the pids limit: PID 1 is inside the cgroup, so the fork itself was refused. */
        uint32_t failed[3] = { command->id, CZ_STAGE_FORK, (uint32_t) errno };
        cz_send(CONTROL, CZ_FAILED, failed, 3);
        close(report[0]);
        return;
    }
    track(command->id, pid, report[0]);
}

/* The child's report has come (its pipe is readable, or the child is dead): says STARTED, or FAILED
 * and forgets it (it exits 127 at once; the reaper finds it untracked and says nothing more). Returns
 * whether it is still tracked. */
static int settle(struct running *r)
{
    uint32_t frame[5];
    ssize_t n;
    do
        n = read(r->report, frame, sizeof frame);
    while (n < 0 && errno == EINTR);
    close(r->report);
    r->report = -1;
    if (n == (ssize_t) sizeof frame) {
        cz_send(CONTROL, CZ_FAILED, frame + 2, 3);
        *r = running[--running_count];
        return 0;
    }
    uint32_t started[2] = { r->id, (uint32_t) r->pid };
    cz_send(CONTROL, CZ_STARTED, started, 2);
    return 1;
}

/* Sends a signal to the command's process group (each command leads its own), else to it alone. */
static void signal_command(const struct cz_message *message)
{
    struct cz_cursor in = { message->payload, message->payload + message->length, 0 };
    uint32_t id = cz_word(&in);
    uint32_t signo = cz_word(&in);
    struct running *r = in.bad ? NULL : find(id, 0);
    if (r != NULL && kill(-r->pid, (int) signo) < 0)
        kill(r->pid, (int) signo);
}

static void reap(int signals)
{
    struct signalfd_siginfo info;
    while (read(signals, &info, sizeof info) > 0) {
    }
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0) {
        struct running *r = find(0, pid);
        /* Dead before its report was read: the pipe holds it now, and STARTED goes before EXITED. */
        if (r != NULL && r->report >= 0 && !settle(r))
            r = NULL;
        if (r != NULL) {
            uint32_t exited[2] = { r->id, (uint32_t) status };
            *r = running[--running_count];
            cz_send(CONTROL, CZ_EXITED, exited, 2);
        }
    }
}

static void become_command(struct cz_message *message, const struct cz_confinement *confinement)
{
    struct cz_command command;
    if (cz_parse_command(message, &command) < 0) {
        cz_log("containerized-init: malformed EXEC_SELF request: %s", strerror(errno));
        _exit(1);
    }
    /* fd 0 is about to become the command's stdin: report a failure on a copy of the socket. */
    int report = fcntl(CONTROL, F_DUPFD_CLOEXEC, 3);
    cz_become(&command, confinement, report < 0 ? CONTROL : report, 1);
}

/* The control socket, the child signals, and the report pipes of the commands not yet settled. */
static struct pollfd *watched(int signals, size_t *count)
{
    static struct pollfd *fds;
    static size_t capacity;
    if (capacity < running_count + 2) {
        capacity = running_count + 2 + 16;
        fds = realloc(fds, capacity * sizeof *fds);
        if (fds == NULL) {
            cz_log("containerized-init: out of memory");
            _exit(1);
        }
    }
    fds[0] = (struct pollfd) { CONTROL, POLLIN, 0 };
    fds[1] = (struct pollfd) { signals, POLLIN, 0 };
    *count = 2;
    for (size_t i = 0; i < running_count; i++)
        if (running[i].report >= 0)
            fds[(*count)++] = (struct pollfd) { running[i].report, POLLIN, 0 };
    return fds;
}

static void serve(const struct cz_confinement *confinement, int signals)
{
    for (;;) {
        size_t count;
        struct pollfd *fds = watched(signals, &count);
        if (poll(fds, count, -1) < 0) {
            if (errno == EINTR)
                continue;
            cz_log("containerized-init: poll: %s", strerror(errno));
            _exit(1);
        }
        /* Reports first, so that a command's STARTED goes before its EXITED. */
        for (size_t i = 2; i < count; i++) {
            if (fds[i].revents == 0)
                continue;
            for (size_t j = 0; j < running_count; j++) {
                if (running[j].report == fds[i].fd) {
                    settle(&running[j]);
                    break;
                }
            }
        }
        if (fds[1].revents)
            reap(signals);
        if (!fds[0].revents)
            continue;
        struct cz_message message;
        int got = cz_receive(CONTROL, &message);
        if (got <= 0) {
            if (got < 0)
                cz_log("containerized-init: control socket: %s", strerror(errno));
            _exit(0);
        }
        if (message.type == CZ_EXEC) {
            struct cz_command command;
            if (cz_parse_command(&message, &command) == 0) {
                start(&command, confinement);
                cz_free_command(&command);
            } else {
                cz_log("containerized-init: malformed EXEC request: %s", strerror(errno));
            }
        } else if (message.type == CZ_SIGNAL) {
            signal_command(&message);
        } else if (message.type == CZ_EXEC_SELF) {
            become_command(&message, confinement);
        } else {
            cz_log("containerized-init: unknown request type %u", message.type);
        }
        cz_release(&message);
    }
}

int main(void)
{
    /* Die with the test JVM thread that started us, and keep /proc/1/{exe,fd,environ} out of reach. */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    /* Executed through /proc/self/fd/3, the kernel named us "3": ps should show our name. */
    prctl(PR_SET_NAME, "containerized-init", 0, 0, 0);
    close(3); /* the memfd we were executed from */

    sigset_t child;
    sigemptyset(&child);
    sigaddset(&child, SIGCHLD);
    sigprocmask(SIG_BLOCK, &child, NULL);
    int signals = signalfd(-1, &child, SFD_CLOEXEC | SFD_NONBLOCK);

    struct cz_message config;
    int got = cz_receive(CONTROL, &config);
    if (got <= 0 || config.type != CZ_CONFIG) {
        cz_log("containerized-init: expected CONFIG first: %s", got == 0 ? "end of file" : strerror(errno));
        _exit(1);
    }
    struct cz_confinement confinement;
    uint32_t step = 0, which = 0;
    int error = 0;
    if (signals < 0)
        step = CZ_STEP_PROTOCOL;
    else if (cz_setup(&config, &confinement, &step, &which) < 0)
        error = errno;
    if (step == 0) {
        /* The payload stays: the seccomp program lives in it. */
        for (int i = 0; i < config.nfds; i++)
            close(config.fds[i]);
        cz_send(CONTROL, CZ_READY, NULL, 0);
        struct cz_message pivot;
        got = cz_receive(CONTROL, &pivot);
        if (got <= 0)
            _exit(0);
        if (pivot.type != CZ_PIVOT) {
            step = CZ_STEP_PROTOCOL;
            error = EPROTO;
        } else if (cz_pivot(&confinement, &step) < 0) {
            error = errno;
        }
        cz_release(&pivot);
    }
    if (step != 0) {
        uint32_t failed[3] = { step, (uint32_t) (error ? error : errno), which };
        cz_send(CONTROL, CZ_SETUP_FAILED, failed, 3);
        _exit(1);
    }
    cz_send(CONTROL, CZ_READY, NULL, 0);
    serve(&confinement, signals);
    return 0;
}
