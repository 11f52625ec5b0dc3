/* A command: what EXEC carries, and the steps from a fresh child of PID 1 to its execve. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static char **strings(struct cz_cursor *in, uint32_t count)
{
    char **list = calloc((size_t) count + 1, sizeof *list);
    for (uint32_t i = 0; list != NULL && i < count; i++)
        list[i] = (char *) cz_string(in);
    return list;
}

int cz_parse_command(struct cz_message *message, struct cz_command *command)
{
    struct cz_cursor in = { message->payload, message->payload + message->length, 0 };
    memset(command, 0, sizeof *command);
    command->id = cz_word(&in);
    command->flags = cz_word(&in);
    command->uid = cz_word(&in);
    command->gid = cz_word(&in);
    command->ngroups = cz_word(&in);
    uint32_t argc = cz_word(&in);
    uint32_t envc = cz_word(&in);
    if (in.bad || command->ngroups > 65536 || (size_t) (in.end - in.at) / sizeof(uint32_t) < command->ngroups
        || argc == 0 || argc > message->length || envc > message->length || message->nfds != 3) {
        errno = EPROTO;
        return -1;
    }
    command->groups = (const uint32_t *) in.at;
    in.at += command->ngroups * sizeof(uint32_t);
    command->cwd = cz_string(&in);
    command->argv = strings(&in, argc);
    command->envp = strings(&in, envc);
    memcpy(command->stdio, message->fds, sizeof command->stdio);
    if (in.bad || command->argv == NULL || command->envp == NULL) {
        cz_free_command(command);
        errno = in.bad ? EPROTO : ENOMEM;
        return -1;
    }
    return 0;
}

void cz_free_command(struct cz_command *command)
{
    free(command->argv);
    free(command->envp);
    command->argv = command->envp = NULL;
}

/* Reports the stage that failed as a whole FAILED message: PID 1 forwards it to the test JVM as it is. */
static void __attribute__((noreturn)) fail(const struct cz_command *command, int report_fd, uint32_t stage, int error)
{
    uint32_t frame[5] = { CZ_FAILED, 3 * sizeof(uint32_t), command->id, stage, (uint32_t) error };
    (void) !write(report_fd, frame, sizeof frame);
    _exit(127);
}

/* Like execvpe(3), but with PATH from the command's own environment, and without its fallback of
 * running a file that is not an executable as a shell script (execve's ENOEXEC stands, as in Docker). */
static int exec_searching_path(char *const argv[], char *const envp[])
{
    const char *name = argv[0];
    if (strchr(name, '/') != NULL)
        return execve(name, argv, envp);
    const char *path = DEFAULT_PATH;
    for (char *const *e = envp; *e != NULL; e++)
        if (strncmp(*e, "PATH=", 5) == 0)
            path = *e + 5;
    int seen_eacces = 0;
    size_t name_length = strlen(name);
    for (const char *dir = path;; dir = strchr(dir, ':') + 1) {
        const char *colon = strchrnul(dir, ':');
        size_t dir_length = (size_t) (colon - dir);
        char candidate[4096];
        if (dir_length + 1 + name_length < sizeof candidate) {
            memcpy(candidate, dir, dir_length);
            candidate[dir_length] = '/';
            memcpy(candidate + dir_length + 1, name, name_length + 1);
            execve(dir_length == 0 ? name : candidate, argv, envp);
            if (errno == EACCES)
                seen_eacces = 1;
            else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE)
                return -1;
        }
        if (*colon == '\0')
            break;
    }
    errno = seen_eacces ? EACCES : ENOENT;
    return -1;
}

static int drop_capabilities(uint64_t keep)
{
    if (cz_capset(keep) < 0)
        return -1;
    return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

static int switch_user(const struct cz_command *command)
{
    if (command->gid != CZ_KEEP_ID) {
        if (setgroups(command->ngroups, (const gid_t *) command->groups) < 0 || setresgid(command->gid, command->gid, command->gid) < 0)
            return -1;
    }
    /* A uid other than 0 clears the permitted and effective capabilities, as Docker's --user does. */
    if (command->uid != CZ_KEEP_ID && setresuid(command->uid, command->uid, command->uid) < 0)
        return -1;
    return 0;
}

static int install_seccomp(const struct cz_confinement *confinement)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return -1;
    if (confinement->seccomp == NULL)
        return 0;
    struct sock_fprog program = { (unsigned short) (confinement->seccomp_length / sizeof(struct sock_filter)),
                                  (struct sock_filter *) confinement->seccomp };
    return (int) syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program);
}

void cz_become(const struct cz_command *command, const struct cz_confinement *confinement, int report_fd, int self)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* The command's stdio only; every other descriptor (the control socket, PID 1's log) closes at execve. */
    for (int i = 0; i < 3; i++)
        if (dup2(command->stdio[i], i) < 0)
            fail(command, report_fd, CZ_STAGE_STDIO, errno);
    if (syscall(SYS_close_range, 3, ~0u, CLOSE_RANGE_CLOEXEC) < 0)
        fail(command, report_fd, CZ_STAGE_STDIO, errno);
    /* PID 1 was started leading a session of its own, away from the test JVM's terminal. */
    if ((command->flags & CZ_SETSID) && getsid(0) != getpid() && setsid() < 0)
        fail(command, report_fd, CZ_STAGE_SESSION, errno);
    if ((command->flags & CZ_SETCTTY) && ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
        fail(command, report_fd, CZ_STAGE_SESSION, errno);
    if (drop_capabilities(confinement->capabilities) < 0)
        fail(command, report_fd, CZ_STAGE_CAPS, errno);
    if (switch_user(command) < 0)
        fail(command, report_fd, CZ_STAGE_USER, errno);
    /* A change of user clears the parent-death signal; PID 1 must still die with the test JVM's thread. */
    if (self && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
        fail(command, report_fd, CZ_STAGE_USER, errno);
    /* After the user switch: a directory the user may not enter fails here, as it would for them. */
    if (chdir(command->cwd) < 0)
        fail(command, report_fd, CZ_STAGE_CWD, errno);
    if (install_seccomp(confinement) < 0)
        fail(command, report_fd, CZ_STAGE_SECCOMP, errno);
    exec_searching_path(command->argv, command->envp);
    fail(command, report_fd, CZ_STAGE_EXEC, errno);
}
