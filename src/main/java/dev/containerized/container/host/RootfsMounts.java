package dev.containerized.container.host;

import dev.containerized.container.ContainerException;
import dev.containerized.container.cgroup.CgroupfsMount;
import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.linux.Mounts;
import dev.containerized.internal.linux.Unistd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.containerized.internal.linux.Fcntl.O_CLOEXEC;
import static dev.containerized.internal.linux.Fcntl.O_DIRECTORY;
import static dev.containerized.internal.linux.Fcntl.O_PATH;
import static dev.containerized.internal.linux.Mounts.MOUNT_ATTR_NODEV;
import static dev.containerized.internal.linux.Mounts.MOUNT_ATTR_NOEXEC;
import static dev.containerized.internal.linux.Mounts.MOUNT_ATTR_NOSUID;
import static dev.containerized.internal.linux.Mounts.MOUNT_ATTR_RDONLY;
import static dev.containerized.internal.linux.Mounts.MS_BIND;
import static dev.containerized.internal.linux.Mounts.MS_NODEV;
import static dev.containerized.internal.linux.Mounts.MS_NOEXEC;
import static dev.containerized.internal.linux.Mounts.MS_NOSUID;
import static dev.containerized.internal.linux.Mounts.MS_RDONLY;
import static dev.containerized.internal.linux.Mounts.MS_REMOUNT;

/**
 * The container's filesystems, mounted by its thread in the test JVM, inside the container's new mount
 * namespace and before its PID 1 pivots into them: an overlay over the read-only rootfs, then the
 * container's own /dev, /sys, /tmp, /run and the user's mounts, and (once PID 1 has mounted /proc)
 * Docker's masked and read-only paths. All of it goes away with the mount namespace.
 */
final class RootfsMounts implements AutoCloseable {
    /** Docker's masked paths: a directory gets an empty read-only tmpfs, a file /dev/null. */
    static final List<String> MASKED = List.of("proc/acpi", "proc/asound", "proc/interrupts", "proc/kcore", "proc/keys",
            "proc/latency_stats", "proc/sched_debug", "proc/scsi", "proc/timer_list", "proc/timer_stats",
            "sys/firmware", "sys/devices/virtual/powercap");
    /** Docker's read-only paths. */
    static final List<String> READ_ONLY = List.of("proc/bus", "proc/fs", "proc/irq", "proc/sys", "proc/sysrq-trigger");
    /** Docker's device list; the pty master comes with the container's own devpts. */
    static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");
    private static final long MEBIBYTE = 1 << 20;
    private static final String CGROUPFS = "sys/fs/cgroup";
    /** The overlay's directories in the state directory: its mount point, upper layer and work directory. */
    static final String MERGED = "merged";
    private static final String UPPER = "upper";
    private static final String WORK = "work";

    private final Path state;
    private final MountPlan plan;
    private final HostDevices devices;
    private InRoot root;
    private Path upper;

    RootfsMounts(Path state, MountPlan plan, HostDevices devices) {
        this.state = state;
        this.plan = plan;
        this.devices = devices;
    }

    /**
     * Closes the root directory's descriptor: held past the setup, it would keep the container's overlay
     * (a mount of a namespace long gone) alive for as long as this JVM runs, one per container.
     */
    @Override
    public void close() {
        if (root != null) {
            root.root().close();
        }
    }

    /** Mounts everything but /proc; returns the directory PID 1 mounts /proc on. */
    Fd mountAllButProc() {
        step("mount the overlay", this::mountOverlay);
        Fd proc = step("mount proc", () -> root.systemDirectory("proc"));
        step("mount /dev", this::mountDev);
        step("mount /sys", () -> mountKernelFs("sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, null));
        step("mount /tmp", () -> tmpfs("tmp", "mode=1777,size=" + plan.tmpSizeBytes()));
        step("mount /run", () -> tmpfs("run", "mode=755,size=" + plan.runSizeBytes()));
        for (MountPlan.UserMount mount : plan.mounts()) {
            step("mount " + mount, () -> userMount(mount));
        }
        return proc;
    }

    /**
     * The directories PID 1 mounts the container's cgroupfs on, in the order of {@code mounts}, below the
     * container's own sysfs: v2's single mount goes on /sys/fs/cgroup itself; v1's hierarchies each on a
     * directory of a tmpfs there (with a link per controller of a co-mounted one, as Docker lays them
     * out), read-only once they are made.
     */
    List<Fd> cgroupfsMountPoints(List<CgroupfsMount> mounts) {
        return step("prepare /sys/fs/cgroup", () -> {
            if (mounts.stream().anyMatch(m -> !m.directory().isEmpty())) {
                cgroupV1Tmpfs(mounts);
            }
            List<Fd> directories = new ArrayList<>();
            try {
                for (CgroupfsMount mount : mounts) {
                    String path = mount.directory().isEmpty() ? CGROUPFS : CGROUPFS + "/" + mount.directory();
                    Fd directory = root.kernelPath(path);
                    if (directory == null) {
                        throw new SetupException("/" + path + " is missing from the container's sysfs: this kernel has no cgroup "
                                + "support in sysfs, so the container's cgroupfs cannot be mounted there");
                    }
                    directories.add(directory);
                }
                return directories;
            } catch (RuntimeException e) {
                directories.forEach(Fd::close);
                throw e;
            }
        });
    }

    private void cgroupV1Tmpfs(List<CgroupfsMount> mounts) {
        tmpfs(CGROUPFS, "mode=755,size=64k", MS_NOSUID | MS_NODEV | MS_NOEXEC);
        try (Fd top = root.kernelPath(CGROUPFS)) {
            for (CgroupfsMount mount : mounts) {
                Fcntl.mkdirat(top, mount.directory(), 0755, root.show(CGROUPFS + "/" + mount.directory()));
                for (String alias : mount.aliases()) {
                    Fcntl.symlinkat(mount.directory(), top, alias);
                }
            }
            Mounts.mountOn(null, top, null, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, null,
                    "/" + CGROUPFS);
        }
    }

    /** After PID 1 mounted /proc: checks it is procfs, masks Docker's paths, makes the root read-only if asked. */
    void finish() {
        step("check /proc", this::checkProc);
        step("mask /proc and /sys paths", this::maskPaths);
        if (plan.readOnlyRoot()) {
            step("make the root filesystem read-only", () -> Mounts.mountOn(null, root.root(), null,
                    MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NODEV, null, root.show("")));
        }
    }

    /**
     * The master of a new pty of the container's own devpts, so that a command on a terminal reaches
     * only the container's pty (TIOCSTI, /proc/self/fd), never the host's terminal.
     */
    Fd openPtyMaster() {
        return Fcntl.openat2(root.root(), "dev/pts/ptmx", Fcntl.O_RDWR | Fcntl.O_NOCTTY | O_CLOEXEC,
                Fcntl.RESOLVE_NO_SYMLINKS | Fcntl.RESOLVE_BENEATH, "/dev/pts/ptmx");
    }

    /** An image's working directory, made where its layers lack it, as docker run does. */
    void makeWorkingDirectory(String directory) {
        if (!directory.equals("/")) {
            step("make the image's working directory", () -> root.makeDirectories(directory, "the image's WorkingDir"));
        }
    }

    /**
     * Commands start in {@code directory}: it must be a directory of the container. (docker run would make
     * a missing one; here the start fails and names it, as a missing one is more often a typo of a test.)
     */
    void checkWorkingDirectory(String directory) {
        String step = "enter the working directory";
        if (directory.equals("/")) {
            return;
        }
        try (Fd dir = root.resolveInRoot(directory.substring(1))) {
            if (dir == null) {
                throw new SetupException(step + ": chdir(\"" + directory + "\"): " + Errno.describe(Errno.ENOENT));
            }
            if (Fcntl.fileType(dir) != Fcntl.S_IFDIR) {
                throw new SetupException(step + ": chdir(\"" + directory + "\"): " + Errno.describe(Errno.ENOTDIR));
            }
        } catch (LinuxException e) { // ELOOP, ENAMETOOLONG, EACCES: named as the chdir the commands would fail
            throw new SetupException(step + ": chdir(\"" + directory + "\"): " + Errno.describe(e.errno()));
        }
    }

    /** The merged directory: PID 1 starts there, and pivots into it. */
    Path merged() {
        return state.resolve(MERGED);
    }

    /**
     * What the overlay needs in the state directory before the container's thread mounts it: a link
     * per lower layer ("lower0" …), the mount point, the upper layer and overlayfs's work directory.
     * On the state directory's filesystem, made by the starting thread while the container's thread
     * makes its namespaces (on a disk filesystem each mkdir costs tens of microseconds); in memory, by
     * the container's thread in its tmpfs.
     */
    static void prepareStateDirectory(Path state, MountPlan plan) {
        List<Path> lowers = plan.lowerDirsTopFirst();
        for (int i = 0; i < lowers.size(); i++) {
            symlink(state.resolve(lowerLink(i)), lowers.get(i));
        }
        for (String dir : List.of(MERGED, UPPER, WORK)) {
            mkdirs(state.resolve(dir));
        }
        openToEveryUser(state.resolve(UPPER));
    }

    private static String lowerLink(int i) {
        return "lower" + i;
    }

    /** overlay's lowerdir option: the links {@link #prepareStateDirectory} made, the top layer first. */
    private static String lowerdirOption(List<Path> lowers) {
        StringBuilder option = new StringBuilder();
        for (int i = 0; i < lowers.size(); i++) {
            option.append(i == 0 ? "" : ":").append(lowerLink(i));
        }
        return option.toString();
    }

    /**
     * The overlay's options name its layers by paths relative to the state directory (links to the
     * real ones, made by {@link #prepareStateDirectory}), so the container's mountinfo shows no host
     * path. In memory, a tmpfs mounted over the state directory, in this mount namespace only, holds
     * the links, the mount point and the layer (the host keeps seeing the lock there). On the state
     * directory's filesystem, where that filesystem cannot hold an upper layer (it is an overlay itself,
     * as in many CI containers), the layer goes in memory all the same.
     */
    private void mountOverlay() {
        String lowerdir = lowerdirOption(plan.lowerDirsTopFirst());
        if (plan.writableLayer() == WritableLayer.MEMORY) {
            overlayInMemory(lowerdir);
        } else {
            Unistd.chdir(state.toString());
            try {
                overlay(lowerdir);
            } catch (LinuxException e) {
                if (e.errno() != Errno.EINVAL && e.errno() != Errno.EOPNOTSUPP) {
                    throw e;
                }
                overlayInMemory(lowerdir);
            }
        }
        root = new InRoot(Fcntl.open(MERGED, O_PATH | O_DIRECTORY | O_CLOEXEC, 0), merged().toString());
    }

    /** The overlay with its directories on a tmpfs over the state directory, which hides what the host made there. */
    private void overlayInMemory(String lowerdir) {
        Mounts.mount("tmpfs", state.toString(), "tmpfs", MS_NOSUID | MS_NODEV, WritableLayer.tmpfsOptions(plan.writableLayerBytes()));
        prepareStateDirectory(state, plan);
        Unistd.chdir(state.toString());
        overlay(lowerdir);
    }

    /** The overlay's upper layer, the container's diff: opened here, where a tmpfs holding it is visible. */
    Fd openUpper() {
        return Fcntl.open(upper.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    }

    /** The overlay on the state directory's "merged", with its upper and work directories there. */
    private void overlay(CharSequence lowerdir) {
        upper = state.resolve(UPPER);
        Mounts.mount("overlay", MERGED, "overlay", MS_NODEV, "lowerdir=" + lowerdir + ",upperdir=" + UPPER + ",workdir=" + WORK);
    }

    private void mountDev() {
        tmpfs("dev", "mode=755,size=64k", MS_NOSUID | MS_NODEV | MS_NOEXEC);
        try (Fd dev = root.systemDirectory("dev")) {
            for (String name : DEVICES) {
                if (devices.get(name) == null) {
                    continue;
                }
                Fcntl.createFileAt(dev, name, root.show("dev/" + name));
                try (Fd node = root.kernelPath("dev/" + name)) {
                    // A bind mount keeps the node's own device: it works although /dev itself is nodev.
                    Mounts.bind(devices.get(name), node, false, "/dev/" + name);
                }
                readOnlyBind("dev/" + name);
            }
            Fcntl.mkdirat(dev, "pts", 0755, root.show("dev/pts"));
            Fcntl.mkdirat(dev, "shm", 01777, root.show("dev/shm"));
            Fcntl.symlinkat("pts/ptmx", dev, "ptmx");
            Fcntl.symlinkat("/proc/self/fd", dev, "fd");
            Fcntl.symlinkat("/proc/self/fd/0", dev, "stdin");
            Fcntl.symlinkat("/proc/self/fd/1", dev, "stdout");
            Fcntl.symlinkat("/proc/self/fd/2", dev, "stderr");
        }
        mountKernelFs("dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5");
        mountKernelFs("dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=" + plan.shmSizeBytes());
    }

    private void mountKernelFs(String path, String fstype, long flags, String data) {
        try (Fd target = root.systemDirectory(path)) {
            Mounts.mountOn(fstype, target, fstype, flags, data, "/" + path);
        }
    }

    private void tmpfs(String path, String data) {
        tmpfs(path, data, MS_NOSUID | MS_NODEV);
    }

    private void tmpfs(String path, String data, long flags) {
        try (Fd target = root.systemDirectory(path)) {
            Mounts.mountOn("tmpfs", target, "tmpfs", flags, data, "/" + path);
        }
    }

    private void userMount(MountPlan.UserMount mount) {
        if (mount instanceof MountPlan.Bind bind) {
            // The source's own submounts come along only where their flags can be set too (mount_setattr,
            // Linux 5.12): else one below a read-only bind would stay writable, and allow device nodes.
            boolean recursive = Mounts.canSetAttributes();
            // Not through a link that a container sharing a directory of the path may have put there.
            boolean inSharedDirectory;
            try (HostPaths.Walked source = HostPaths.openSource(bind.source(), "mount " + bind)) {
                Fcntl.FileStat stat = Fcntl.stat(source.fd());
                boolean directory = stat.isDirectory();
                inSharedDirectory = directory && source.belowShared();
                if (directory && !bind.readOnly()) { // a file's bind has no directory to put a link in
                    SharedDirectories.remember(source.fd(), stat);
                }
                try (Fd target = root.userTarget(bind.target(), directory)) {
                    Mounts.bind(source.fd(), target, recursive, bind.target());
                }
            }
            // The new mount, found again by its path (the descriptor above is of what it covers).
            try (Fd mounted = root.resolveInRoot(bind.target().substring(1))) {
                if (recursive && inSharedDirectory && Submounts.below(mounted)) {
                    throw new ContainerException("mount " + bind + ": " + bind.source() + " is, or lies in, a directory a container "
                            + "was given to write (a read-write bind), and has mounts below it, which a process of such a container "
                            + "may have moved there (a rename moves a host mount it cannot see along): a bind does not carry them "
                            + "there. Unmount them, or bind a directory no container was given to write");
                }
                Mounts.restrict(mounted, recursive, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (bind.readOnly() ? MOUNT_ATTR_RDONLY : 0),
                        bind.target());
            }
        } else if (mount instanceof MountPlan.Tmpfs tmpfs) {
            try (Fd target = root.userTarget(tmpfs.target(), true)) {
                Mounts.mountOn("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=" + tmpfs.sizeBytes(), tmpfs.target());
            }
        }
    }

    /**
     * Read-only, nosuid and noexec for the bind of a host node at {@code path} below the root: the
     * device still reads and writes, but its owner, mode and times, which are the host's own node's,
     * shared by every container, cannot change (EROFS).
     */
    private void readOnlyBind(String path) {
        try (Fd bound = root.kernelPath(path)) { // found again by its path, never through a link: now the bind's own root
            Mounts.restrict(bound, false, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, "/" + path);
        }
    }

    /** PID 1 mounted procfs on the directory it was given; make sure that is where /proc resolves now. */
    private void checkProc() {
        try (Fd proc = Fcntl.openat2(root.root(), "proc", O_PATH | O_DIRECTORY | O_CLOEXEC,
                Fcntl.RESOLVE_NO_SYMLINKS | Fcntl.RESOLVE_BENEATH, "/proc")) {
            if (Mounts.filesystemType(proc) != Mounts.PROC_SUPER_MAGIC) {
                throw new SetupException("/proc of the container is not procfs after mounting it");
            }
        }
    }

    private void maskPaths() {
        for (String path : MASKED) {
            try (Fd target = root.kernelPath(path)) {
                if (target == null) {
                    continue;
                }
                if (Fcntl.fileType(target) == Fcntl.S_IFDIR) {
                    Mounts.mountOn("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=000", "/" + path);
                } else {
                    Mounts.bind(devices.get("null"), target, false, "/" + path);
                    readOnlyBind(path);
                }
            }
        }
        for (String path : READ_ONLY) {
            try (Fd target = root.kernelPath(path)) {
                if (target == null) {
                    continue;
                }
                Mounts.bind(target, target, true, "/" + path);
            }
            try (Fd bound = root.kernelPath(path)) {
                Mounts.mountOn(null, bound, null, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, null, "/" + path);
            }
        }
    }

    private static <T> T step(String name, java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (LinuxException | UncheckedIOException e) {
            throw new SetupException(name, e);
        } catch (SetupException e) {
            throw new SetupException(name + ": " + e.getMessage());
        }
    }

    private static void step(String name, Runnable action) {
        step(name, () -> {
            action.run();
            return null;
        });
    }

    /**
     * The upper layer's own mode is the container root's ("/"): 0755, as Docker makes it, not what this
     * JVM's umask left (077 would give 0700, and every non-root command would fail to enter "/").
     */
    private static void openToEveryUser(Path upper) {
        try {
            Files.setPosixFilePermissions(upper, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException("chmod 0755 " + upper + ": " + e, e);
        }
    }

    private static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("mkdir " + dir + ": " + e, e);
        }
    }

    private static void symlink(Path link, Path target) {
        try {
            Files.createSymbolicLink(link, target);
        } catch (IOException e) {
            throw new UncheckedIOException("symlink " + link + " -> " + target + ": " + e, e);
        }
    }
}
