/* The messages between the test JVM and PID 1, over a unix stream socket that is PID 1's fd 0.
 *
 * Each message is a header (type, payload length) and a payload of native-endian 32-bit words and
 * NUL-terminated strings. Descriptors travel as SCM_RIGHTS with the header's bytes. The Java side
 * mirrors these numbers in dev.containerized.container.host.Pid1Protocol; a test reads this file and
 * checks that both agree. */
#ifndef CZ_PROTOCOL_H
#define CZ_PROTOCOL_H

#include <stdint.h>

#define CZ_MAX_FDS 16
#define CZ_MAX_PAYLOAD (64u << 20)

/* Requests, JVM to PID 1. */
#define CZ_CONFIG 1     /* fds: cgroup files to join, the /proc mount point, the cgroupfs mount points; once, first */
#define CZ_EXEC 2       /* fds: stdin, stdout, stderr; fork a command */
#define CZ_SIGNAL 3     /* no fds; signal a command's process group */
#define CZ_EXEC_SELF 4  /* fds: stdin, stdout, stderr; PID 1 becomes the command */
#define CZ_PIVOT 5      /* no fds; after CONFIG: pivot_root into the container, then drop capabilities */

/* Events, PID 1 to JVM. */
#define CZ_READY 101        /* CONFIG or PIVOT done */
#define CZ_SETUP_FAILED 102 /* u32 step, u32 errno, u32 which (CGROUPFS: the mount's index); PID 1 exits */
#define CZ_STARTED 103      /* u32 id, i32 pid: the command runs (its execve succeeded) */
#define CZ_FAILED 104       /* u32 id, u32 stage, u32 errno: it never ran */
#define CZ_EXITED 105       /* u32 id, i32 wait status */

/* CONFIG payload: u32 flags, u32 cgroup files, u32 cgroupfs mounts, u32 last capability, u32 capabilities
 * low, u32 high, u32 seccomp bytes, the seccomp program; then for each cgroupfs mount two strings: its
 * filesystem type ("cgroup2" or "cgroup") and its options (v1: the hierarchy's controllers). */

/* CONFIG flags. */
#define CZ_UNSHARE_CGROUP 0x1 /* after joining the cgroup, root a cgroup namespace there */

/* EXEC flags. */
#define CZ_SETSID 0x1  /* lead a new session (and so a process group of its own) */
#define CZ_SETCTTY 0x2 /* make stdin the controlling terminal (a pty slave) */

#define CZ_KEEP_ID 0xffffffffu /* uid or gid: stay root */

/* Setup steps (SETUP_FAILED) and command stages (FAILED). */
#define CZ_STEP_PROTOCOL 1
#define CZ_STEP_CGROUP 2
#define CZ_STEP_CGROUPNS 3
#define CZ_STEP_PROC 4
#define CZ_STEP_PIVOT 5
#define CZ_STEP_CAPS 6
#define CZ_STEP_CGROUPFS 7
#define CZ_STEP_ROOT 8 /* the container's root is not its mount namespace's top */

#define CZ_STAGE_FORK 10
#define CZ_STAGE_STDIO 11
#define CZ_STAGE_SESSION 12
#define CZ_STAGE_CAPS 13
#define CZ_STAGE_USER 14
#define CZ_STAGE_CWD 15
#define CZ_STAGE_SECCOMP 16
#define CZ_STAGE_EXEC 17

struct cz_header {
    uint32_t type;
    uint32_t length;
};

#endif
