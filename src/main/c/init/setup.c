/* CONFIG and PIVOT: what PID 1 does once, before any command, while it still has every capability. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"

/* Joins the container's cgroup: "0" moves the writer (v2 cgroup.procs, v1 tasks). From then on every
 * process PID 1 forks is born inside it, so the pids limit refuses a fork atomically and no command
 * ever runs a single instruction outside its limits. */
static int join_cgroup(const int *files, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        if (write(files[i], "0", 1) != 1)
            return -1;
    return 0;
}

/* Mounts on a directory the test JVM opened (resolved without following the rootfs's symlinks),
 * through its descriptor. */
static int mount_on(int directory, const char *source, const char *fstype, unsigned long flags, const char *data)
{
    char target[64];
    snprintf(target, sizeof target, "/proc/self/fd/%d", directory);
    return mount(source, target, fstype, flags, data);
}

/* procfs takes the pid namespace of the process that mounts it: it must be PID 1's. */
static int mount_proc(int directory)
{
    return mount_on(directory, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/* The permitted and effective capabilities become `keep`, the inheritable ones none: PID 1's own, and
 * each command's before its execve. */
int cz_capset(uint64_t keep)
{
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2] = {
        { (uint32_t) keep, (uint32_t) keep, 0 },
        { (uint32_t) (keep >> 32), (uint32_t) (keep >> 32), 0 },
    };
    return (int) syscall(SYS_capset, &header, data);
}

/* PID 1 keeps only what commands get: a narrower bounding set is inherited by every child, and its
 * own capabilities are Docker's set too (it needs CAP_KILL, CAP_SETUID, CAP_SETGID at most). */
static int restrict_capabilities(uint64_t keep, uint32_t last_cap)
{
    for (uint32_t cap = 0; cap <= last_cap && cap < 64; cap++)
        if (!(keep & (1ull << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
            return -1;
    return cz_capset(keep);
}

/* The container's own cgroups, read-only, where programs look for their limits (a JVM, Go's and .NET's
 * runtimes): mounted after the cgroup namespace was rooted at the container's cgroup, each mount shows
 * that cgroup as its top and nothing of the host's tree. The flags apply to this mount only: the
 * superblock is the host's, and stays writable there. */
static int mount_cgroupfs(int directory, const char *fstype, const char *options)
{
    return mount_on(directory, "cgroup", fstype, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, *options ? options : NULL);
}

int cz_setup(const struct cz_message *config, struct cz_confinement *confinement, uint32_t *failed_step,
             uint32_t *failed_which)
{
    struct cz_cursor in = { config->payload, config->payload + config->length, 0 };
    uint32_t flags = cz_word(&in);
    uint32_t cgroup_files = cz_word(&in);
    uint32_t cgroupfs_mounts = cz_word(&in);
    confinement->last_cap = cz_word(&in);
    uint32_t low = cz_word(&in);
    confinement->capabilities = ((uint64_t) cz_word(&in) << 32) | low;
    confinement->seccomp_length = cz_word(&in);
    confinement->seccomp = confinement->seccomp_length > 0 ? in.at : NULL;
    if (!in.bad && (size_t) (in.end - in.at) >= confinement->seccomp_length)
        in.at += confinement->seccomp_length;
    else
        in.bad = 1;
    const char *fstypes[CZ_MAX_FDS], *options[CZ_MAX_FDS];
    for (uint32_t i = 0; i < cgroupfs_mounts && i < CZ_MAX_FDS; i++) {
        fstypes[i] = cz_string(&in);
        options[i] = cz_string(&in);
    }
    if (in.bad || in.at != in.end || confinement->seccomp_length % 8 != 0 || cgroup_files >= CZ_MAX_FDS
        || cgroupfs_mounts >= CZ_MAX_FDS || config->nfds != (int) (cgroup_files + 1 + cgroupfs_mounts)) {
        *failed_step = CZ_STEP_PROTOCOL;
        errno = EPROTO;
        return -1;
    }
    if (join_cgroup(config->fds, cgroup_files) < 0) {
        *failed_step = CZ_STEP_CGROUP;
        return -1;
    }
    /* Rooted at the cgroup just joined: commands see their cgroup as "/", as under Docker. */
    if ((flags & CZ_UNSHARE_CGROUP) && unshare(CLONE_NEWCGROUP) < 0) {
        *failed_step = CZ_STEP_CGROUPNS;
        return -1;
    }
    if (mount_proc(config->fds[cgroup_files]) < 0) {
        *failed_step = CZ_STEP_PROC;
        return -1;
    }
    for (uint32_t i = 0; i < cgroupfs_mounts; i++) {
        if (mount_cgroupfs(config->fds[cgroup_files + 1 + i], fstypes[i], options[i]) < 0) {
            *failed_step = CZ_STEP_CGROUPFS;
            *failed_which = i;
            return -1;
        }
    }
    return 0;
}

/* Were the test JVM chrooted, pivot_root would leave the container's root a mount below the host's
 * own root, and a process inside with CAP_SYS_CHROOT (Docker grants it) could climb out to the host's
 * files. Checked by that very climb: chroot into /proc, ".." far up from the old root, chroot there,
 * and "/" must still be the container's root. PID 1 then returns to that root by its descriptor.
 * Returns 0 when the root holds, -1 with errno EXDEV when it does not (or the climb's errno). */
static int root_holds(void)
{
    struct stat before, after;
    int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return -1;
    int holds = -1;
    if (fstat(root, &before) == 0 && chroot("/proc") == 0) {
        for (int i = 0; i < 64 && chdir("..") == 0; i++)
            ;
        if (chroot(".") == 0 && stat("/", &after) == 0) {
            holds = before.st_dev == after.st_dev && before.st_ino == after.st_ino ? 0 : -1;
            if (holds < 0)
                errno = EXDEV;
        }
    }
    int saved = errno;
    if (fchdir(root) < 0 || chroot(".") < 0) {
        close(root);
        return -1;
    }
    close(root);
    errno = saved;
    return holds;
}

/* The test JVM's thread prepared the mounts and has left this mount namespace by now: PID 1, whose
 * working directory is the container's root, makes it the root (pivot_root(".", ".") stacks the old
 * root on the new one; detaching it leaves no way back), then keeps only commands' capabilities. */
int cz_pivot(const struct cz_confinement *confinement, uint32_t *failed_step)
{
    if (syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0) {
        *failed_step = CZ_STEP_PIVOT;
        return -1;
    }
    if (root_holds() < 0) {
        *failed_step = CZ_STEP_ROOT;
        return -1;
    }
    if (restrict_capabilities(confinement->capabilities, confinement->last_cap) < 0) {
        *failed_step = CZ_STEP_CAPS;
        return -1;
    }
    return 0;
}
