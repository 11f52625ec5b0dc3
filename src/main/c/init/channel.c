/* The control socket: framed messages with descriptors attached, and PID 1's log. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "init.h"

static int read_fully(int fd, char *buffer, size_t length)
{
    while (length > 0) {
        ssize_t n = read(fd, buffer, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EPIPE;
            return -1;
        }
        buffer += n;
        length -= (size_t) n;
    }
    return 0;
}

int cz_receive(int fd, struct cz_message *message)
{
    struct cz_header header;
    char control[CMSG_SPACE(CZ_MAX_FDS * sizeof(int))];
    struct iovec iov = { &header, sizeof header };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                          .msg_controllen = sizeof control };
    ssize_t n;

    memset(message, 0, sizeof *message);
    do
        n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);
    while (n < 0 && errno == EINTR);
    if (n == 0)
        return 0;
    if (n < 0)
        return -1; /* errno says why; msg's control part was never filled in */
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int count = (int) ((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            memcpy(message->fds, CMSG_DATA(c), (size_t) count * sizeof(int));
            message->nfds = count;
        }
    }
    if (n != sizeof header || (msg.msg_flags & MSG_CTRUNC) || header.length > CZ_MAX_PAYLOAD) {
        cz_release(message);
        errno = EPROTO;
        return -1;
    }
    message->type = header.type;
    message->length = header.length;
    /* One spare NUL: the last string of a payload always ends. */
    message->payload = calloc(1, header.length + 1);
    if (message->payload == NULL || read_fully(fd, message->payload, header.length) < 0) {
        cz_release(message);
        return -1;
    }
    return 1;
}

void cz_release(struct cz_message *message)
{
    for (int i = 0; i < message->nfds; i++)
        if (message->fds[i] >= 0)
            close(message->fds[i]);
    message->nfds = 0;
    free(message->payload);
    message->payload = NULL;
}

void cz_send(int fd, uint32_t type, const uint32_t *words, size_t count)
{
    uint32_t frame[2 + 8];
    frame[0] = type;
    frame[1] = (uint32_t) (count * sizeof(uint32_t));
    if (count > 0)
        memcpy(frame + 2, words, count * sizeof(uint32_t));
    size_t length = (2 + count) * sizeof(uint32_t);
    /* Small enough to go in one piece; a failure means the test JVM is gone, and so is the container. */
    if (send(fd, frame, length, MSG_NOSIGNAL) != (ssize_t) length)
        _exit(0);
}

uint32_t cz_word(struct cz_cursor *cursor)
{
    uint32_t word = 0;
    if (cursor->end - cursor->at < (ptrdiff_t) sizeof word) {
        cursor->bad = 1;
        return 0;
    }
    memcpy(&word, cursor->at, sizeof word);
    cursor->at += sizeof word;
    return word;
}

const char *cz_string(struct cz_cursor *cursor)
{
    const char *start = cursor->at;
    const char *nul = cursor->at < cursor->end ? memchr(cursor->at, '\0', (size_t) (cursor->end - cursor->at)) : NULL;
    if (nul == NULL) {
        cursor->bad = 1;
        return "";
    }
    cursor->at = nul + 1;
    return start;
}

void cz_log(const char *format, ...)
{
    char line[512];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line, sizeof line - 1, format, args);
    va_end(args);
    if (n < 0)
        return;
    if (n > (int) sizeof line - 2)
        n = (int) sizeof line - 2;
    line[n++] = '\n';
    (void) !write(STDERR_FILENO, line, (size_t) n);
}
