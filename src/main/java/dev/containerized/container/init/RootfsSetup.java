package dev.containerized.container.init;

import dev.containerized.internal.linux.LibC;
import dev.containerized.internal.linux.Linux;
import dev.containerized.internal.linux.LinuxException;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.containerized.internal.linux.LibC.MS_BIND;
import static dev.containerized.internal.linux.LibC.MS_NODEV;
import static dev.containerized.internal.linux.LibC.MS_NOEXEC;
import static dev.containerized.internal.linux.LibC.MS_NOSUID;
import static dev.containerized.internal.linux.LibC.MS_RDONLY;
import static dev.containerized.internal.linux.LibC.MS_REC;
import static dev.containerized.internal.linux.LibC.MS_REMOUNT;

/**
 * The init's filesystem and network setup, in the order the kernel needs: private propagation first,
 * then an overlay over the read-only rootfs with the container's own /proc, /dev, /tmp and /sys, then
 * pivot_root into it. Runs as PID 1 of the new namespaces; every mount lives in the container's mount
 * namespace and goes away with it.
 */
final class RootfsSetup {
    /** Docker's masked /proc paths: files get /dev/null, directories an empty read-only tmpfs. */
    private static final List<String> MASKED = List.of("/proc/acpi", "/proc/asound", "/proc/interrupts",
            "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/sched_debug", "/proc/scsi",
            "/proc/timer_list", "/proc/timer_stats", "/sys/firmware");
    private static final List<String> READ_ONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");
    private static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");

    private final InitConfig config;
    private final Path merged;

    RootfsSetup(InitConfig config) {
        this.config = config;
        this.merged = Path.of(config.stateDir(), "merged");
    }

    /** Runs every step; on return the process's root is the container's. */
    void run() {
        step("hostname", () -> Linux.sethostname(config.hostname()));
        step("make / private", () -> Linux.mount(null, "/", null, MS_REC | LibC.MS_PRIVATE, null));
        step("mount overlay on " + merged, this::mountOverlay);
        step("mount proc", () -> mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, null));
        step("mount /dev", this::mountDev);
        step("mount /tmp", () -> mount("tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"));
        step("mount /sys", () -> mount("sysfs", "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, null));
        step("mask /proc and /sys paths", this::maskPaths);
        step("bring up loopback", RootfsSetup::loopbackUp);
        step("pivot_root to " + merged, this::pivotRoot);
    }

    private void mountOverlay() {
        Path state = Path.of(config.stateDir());
        try {
            overlay(state);
        } catch (LinuxException e) {
            if (e.errno() != 22 && e.errno() != 95) { // EINVAL, EOPNOTSUPP: the filesystem can't hold an upper dir
                throw e;
            }
            // The state directory's filesystem cannot be an overlay's upper (it is itself an overlay,
            // as in a CI container): a tmpfs in this mount namespace can, and dies with it.
            Path scratch = state.resolve("scratch");
            mkdirs(scratch);
            Linux.mount("tmpfs", scratch.toString(), "tmpfs", MS_NOSUID, "mode=0700");
            overlay(scratch);
        }
    }

    private void overlay(Path upperBase) {
        Path upper = upperBase.resolve("upper");
        Path work = upperBase.resolve("work");
        mkdirs(upper);
        mkdirs(work);
        mkdirs(merged);
        Linux.mount("overlay", merged.toString(), "overlay", MS_NODEV,
                "lowerdir=" + config.rootfs() + ",upperdir=" + upper + ",workdir=" + work);
    }

    private void mountDev() {
        mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=64k");
        Path dev = merged.resolve("dev");
        for (String name : DEVICES) {
            Path host = Path.of("/dev", name);
            if (Files.exists(host)) {
                Path node = dev.resolve(name);
                touch(node);
                // A bind mount has its own flags: the node works although /dev is nodev.
                Linux.mount(host.toString(), node.toString(), null, MS_BIND, null);
            }
        }
        mkdirs(dev.resolve("pts"));
        Linux.mount("devpts", dev.resolve("pts").toString(), "devpts", MS_NOSUID | MS_NOEXEC,
                "newinstance,ptmxmode=0666,mode=0620");
        mkdirs(dev.resolve("shm"));
        Linux.mount("shm", dev.resolve("shm").toString(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777");
        symlink(dev.resolve("ptmx"), "pts/ptmx");
        symlink(dev.resolve("fd"), "/proc/self/fd");
        symlink(dev.resolve("stdin"), "/proc/self/fd/0");
        symlink(dev.resolve("stdout"), "/proc/self/fd/1");
        symlink(dev.resolve("stderr"), "/proc/self/fd/2");
    }

    private void maskPaths() {
        String devNull = merged.resolve("dev/null").toString();
        for (String path : MASKED) {
            Path target = inside(path);
            if (Files.isDirectory(target)) {
                Linux.mount("tmpfs", target.toString(), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=000");
            } else if (Files.exists(target)) {
                Linux.mount(devNull, target.toString(), null, MS_BIND, null);
            }
        }
        for (String path : READ_ONLY) {
            Path target = inside(path);
            if (Files.exists(target)) {
                Linux.mount(target.toString(), target.toString(), null, MS_BIND | MS_REC, null);
                Linux.mount(null, target.toString(), null, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, null);
            }
        }
    }

    /** SIOCGIFFLAGS then SIOCSIFFLAGS with IFF_UP on "lo", through a socket of the new net namespace. */
    static void loopbackUp() {
        int fd = Linux.socketForIoctl();
        try {
            Memory ifreq = new Memory(40); // struct ifreq: char ifr_name[16]; union { short ifr_flags; ... }
            ifreq.clear();
            ifreq.setString(0, "lo");
            try {
                LibC.INSTANCE.ioctl(fd, LibC.SIOCGIFFLAGS, ifreq);
                ifreq.setShort(16, (short) (ifreq.getShort(16) | LibC.IFF_UP));
                LibC.INSTANCE.ioctl(fd, LibC.SIOCSIFFLAGS, ifreq);
            } catch (LastErrorException e) {
                throw new LinuxException("ioctl(SIOCSIFFLAGS, \"lo\", IFF_UP)", e.getErrorCode());
            }
        } finally {
            Linux.closeQuietly(fd);
        }
    }

    /** pivot_root(".", "."): the old root ends up stacked on the new one, and is detached at once. */
    private void pivotRoot() {
        Linux.chdir(merged.toString());
        Linux.pivotRoot(".", ".");
        Linux.umount2(".", LibC.MNT_DETACH);
        Linux.chdir("/");
    }

    /** Mounts on a directory inside the rootfs, creating it in the overlay's upper layer if missing. */
    private void mount(String source, String relativeTarget, String fstype, long flags, String data) {
        Path target = merged.resolve(relativeTarget);
        mkdirs(target);
        Linux.mount(source, target.toString(), fstype, flags, data);
    }

    private Path inside(String absolute) {
        return merged.resolve(absolute.substring(1));
    }

    private static void step(String name, Runnable action) {
        try {
            action.run();
        } catch (LinuxException | UncheckedIOException e) {
            throw new SetupException(name, e);
        }
    }

    private static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new UncheckedIOException("mkdir " + e.getFile() + ": EEXIST (a file that is not a directory is in the way)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("mkdir " + dir + ": " + e, e);
        }
    }

    private static void touch(Path file) {
        try {
            Files.createFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException("create " + file + ": " + e, e);
        }
    }

    private static void symlink(Path link, String target) {
        try {
            Files.createSymbolicLink(link, Path.of(target));
        } catch (IOException e) {
            throw new UncheckedIOException("symlink " + link + ": " + e, e);
        }
    }
}
