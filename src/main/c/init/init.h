/* Containerized's PID 1: declarations shared by its files. */
#ifndef CZ_INIT_H
#define CZ_INIT_H

#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

/* A message read from the control socket: its type, payload and descriptors. */
struct cz_message {
    uint32_t type;
    uint32_t length;
    char *payload;
    int fds[CZ_MAX_FDS];
    int nfds;
};

/* A cursor over a payload; a read past its end sets `bad` instead of reading. */
struct cz_cursor {
    const char *at;
    const char *end;
    int bad;
};

/* How commands are confined, as CONFIG said. */
struct cz_confinement {
    uint64_t capabilities;
    uint32_t last_cap;
    uint32_t seccomp_length;  /* bytes of struct sock_filter[] */
    const void *seccomp;      /* NULL: unconfined */
};

/* A command to start, as EXEC or EXEC_SELF said; strings point into the message's payload. */
struct cz_command {
    uint32_t id;
    uint32_t flags;
    uint32_t uid;
    uint32_t gid;
    uint32_t ngroups;
    const uint32_t *groups;
    const char *cwd;
    char **argv;
    char **envp;
    int stdio[3];
};

/* channel.c */
int cz_receive(int fd, struct cz_message *message);  /* 1 read, 0 end of file, -1 error (errno) */
void cz_release(struct cz_message *message);
void cz_send(int fd, uint32_t type, const uint32_t *words, size_t count);
uint32_t cz_word(struct cz_cursor *cursor);
const char *cz_string(struct cz_cursor *cursor);
void cz_log(const char *format, ...);

/* setup.c */
int cz_setup(const struct cz_message *config, struct cz_confinement *confinement, uint32_t *failed_step,
             uint32_t *failed_which);
int cz_pivot(const struct cz_confinement *confinement, uint32_t *failed_step);
int cz_capset(uint64_t keep); /* permitted and effective: keep; inheritable: none */

/* command.c */
int cz_parse_command(struct cz_message *message, struct cz_command *command);
void cz_free_command(struct cz_command *command);
/* In the process that becomes the command (a child, or PID 1 itself when `self`): never returns; a
 * failure is written to report_fd as a whole FAILED message. */
void cz_become(const struct cz_command *command, const struct cz_confinement *confinement, int report_fd, int self)
    __attribute__((noreturn));

#endif
