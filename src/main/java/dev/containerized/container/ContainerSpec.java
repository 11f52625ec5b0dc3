package dev.containerized.container;

import dev.containerized.rootfs.ImageReference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a container is made of. Immutable; built with {@link #builder()}, which checks every value and
 * says which one is wrong and what it should be, before anything is created.
 *
 * @param rootfs           the root filesystem, read-only under the container's overlay; empty for
 *                         the built-in one (or the image)
 * @param image            an image as the root filesystem: {@code oci:DIR[:TAG]} or {@code docker-archive:FILE};
 *                         its Env, WorkingDir and User are the container's defaults
 * @param hostname         the container's own hostname
 * @param pidsLimit        the most tasks the container's processes may have (pids.max), its PID 1 included
 * @param memoryLimitBytes the most memory they may use, without swap (memory.max); files they write to
 *                         /tmp, /run, /dev/shm, a tmpfs mount and (by default) the root filesystem count too, as
 *                         those are tmpfs: each holds at most the limit less 64 MiB (half of a limit below
 *                         128 MiB), left to the processes (see {@code -Dcontainerized.writableLayer} in the
 *                         README for a root on disk)
 * @param environment      the variables set for every command; under them the runtime puts PATH, TERM
 *                         and HOSTNAME (and an image's Env), which these override, and HOME when none of
 *                         them sets it: the user's home from the container's /etc/passwd ("/" for a uid
 *                         without an entry), root's without a user
 * @param workingDirectory where commands start, inside the container; when empty, an image's WorkingDir,
 *                         else {@code /}
 * @param execTimeout      how long {@link Container#exec(String...)} waits before it kills the command
 * @param outputLimitBytes how much of each of a command's stdout and stderr is kept: its first half and
 *                         its last half; what lies between is dropped and counted
 * @param seccomp          the system calls commands may make: Docker's default profile unless set
 * @param mounts           bind and tmpfs mounts, in order
 * @param readOnlyRootfs   whether the root filesystem refuses writes (mounts and /tmp, /run, /dev/shm still take them)
 * @param user             who runs commands by default ({@code docker run --user}); root when empty
 * @param cpus             the most CPU time per wall-clock time, in CPUs: 0.5 is half of one CPU, 2 two
 *                         CPUs' worth (a CFS quota of cpus × 100 ms per 100 ms, as {@code docker run --cpus})
 * @param cpuset           the CPUs its processes may run on, such as {@code "0-1"} or {@code "0,2"}
 * @param shmSizeBytes     the size of the tmpfs on /dev/shm (Docker's --shm-size) asked for; under a memory
 *                         limit, the container's tmpfs each hold at most the limit less 64 MiB (half of a limit
 *                         below 128 MiB), whatever was asked
 * @param tmpSizeBytes     the size of the tmpfs on /tmp (held to the same under a memory limit)
 * @param runSizeBytes     the size of the tmpfs on /run (held to the same under a memory limit)
 */
public record ContainerSpec(Optional<Path> rootfs, Optional<String> image, String hostname, OptionalLong pidsLimit,
                            OptionalLong memoryLimitBytes, Map<String, String> environment,
                            Optional<String> workingDirectory, Duration execTimeout, long outputLimitBytes, Seccomp seccomp,
                            List<Mount> mounts, boolean readOnlyRootfs, Optional<String> user,
                            OptionalDouble cpus, Optional<String> cpuset, long shmSizeBytes, long tmpSizeBytes, long runSizeBytes) {
    public static final String DEFAULT_HOSTNAME = "containerized";
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** 4 MiB of each stream: room for any test's output, and a bound a flood cannot take the test JVM past. */
    public static final long DEFAULT_OUTPUT_LIMIT = 4L << 20;
    /** Docker's size of /dev/shm. */
    public static final long DEFAULT_SHM_SIZE = 64L << 20;
    /** /tmp is a tmpfs, charged to the container's memory: room for a test's files, a bound for a runaway. */
    public static final long DEFAULT_TMP_SIZE = 1L << 30;
    /** /run holds pid files and sockets. */
    public static final long DEFAULT_RUN_SIZE = 64L << 20;
    /** linux/limits.h: the longest path (with its NUL) and file name the kernel takes. */
    private static final int PATH_MAX = 4096;
    private static final int NAME_MAX = 255;
    /** linux/threads.h PID_MAX_LIMIT on 64-bit: the largest value pids.max takes. */
    private static final long PID_MAX_LIMIT = 4L << 20;

    public ContainerSpec {
        environment = Map.copyOf(environment);
        mounts = List.copyOf(mounts);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this spec. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.rootfs = rootfs.orElse(null);
        b.image = image.orElse(null);
        b.hostname = hostname;
        b.pidsLimit = pidsLimit;
        b.memoryLimitBytes = memoryLimitBytes;
        b.environment.clear();
        b.environment.putAll(environment);
        b.workingDirectory = workingDirectory.orElse(null);
        b.execTimeout = execTimeout;
        b.outputLimitBytes = outputLimitBytes;
        b.seccomp = seccomp;
        b.mounts.addAll(mounts);
        b.readOnlyRootfs = readOnlyRootfs;
        b.user = user.orElse(null);
        b.cpus = cpus;
        b.cpuset = cpuset;
        b.shmSizeBytes = shmSizeBytes;
        b.tmpSizeBytes = tmpSizeBytes;
        b.runSizeBytes = runSizeBytes;
        return b;
    }

    public static final class Builder {
        private Path rootfs;
        private String image;
        private String hostname = DEFAULT_HOSTNAME;
        private OptionalLong pidsLimit = OptionalLong.empty();
        private OptionalLong memoryLimitBytes = OptionalLong.empty();
        private final Map<String, String> environment = new LinkedHashMap<>();
        /** Null until set: an image's WorkingDir is then the default, as for docker run without -w. */
        private String workingDirectory;
        private Duration execTimeout = Duration.ofMinutes(2);
        private long outputLimitBytes = DEFAULT_OUTPUT_LIMIT;
        private Seccomp seccomp = Seccomp.DEFAULT;
        private final List<Mount> mounts = new ArrayList<>();
        private boolean readOnlyRootfs;
        private String user;
        private OptionalDouble cpus = OptionalDouble.empty();
        private Optional<String> cpuset = Optional.empty();
        private long shmSizeBytes = DEFAULT_SHM_SIZE;
        private long tmpSizeBytes = DEFAULT_TMP_SIZE;
        private long runSizeBytes = DEFAULT_RUN_SIZE;

        private Builder() {
        }

        /** A directory holding a root filesystem; the default is the built-in busybox rootfs. */
        public Builder rootfs(Path rootfs) {
            this.rootfs = rootfs;
            return this;
        }

        /**
         * An image as the root filesystem, offline: {@code oci:DIR[:TAG]} (an OCI image layout) or
         * {@code docker-archive:FILE[:NAME:TAG]} (a {@code docker save} tar); a relative path is taken from
         * the working directory. Its layers are unpacked once into a cache. Not together with {@link #rootfs}.
         */
        public Builder image(String reference) {
            this.image = reference;
            return this;
        }

        public Builder hostname(String hostname) {
            this.hostname = hostname;
            return this;
        }

        /** The most tasks, PID 1 (Containerized's init, or the command of a {@link Container#run}) included. */
        public Builder pidsLimit(long pidsLimit) {
            if (pidsLimit < 1) {
                throw new IllegalArgumentException("pids limit " + pidsLimit
                        + " is too low: a container needs at least 1 task for its command; use a positive number such as 20");
            }
            if (pidsLimit > PID_MAX_LIMIT) {
                throw new IllegalArgumentException("pids limit " + pidsLimit + " is above the most pids Linux can have ("
                        + PID_MAX_LIMIT + "), which pids.max refuses: use a smaller number, or leave it out for no limit");
            }
            this.pidsLimit = OptionalLong.of(pidsLimit);
            return this;
        }

        public Builder memoryLimit(long bytes) {
            if (bytes < 4L << 20) {
                throw new IllegalArgumentException("memory limit " + bytes
                        + " bytes is below 4 MiB, too little to start a command; use at least \"4m\", such as \"64m\"");
            }
            this.memoryLimitBytes = OptionalLong.of(bytes);
            return this;
        }

        /** A size such as {@code "64m"}, {@code "1g"}. */
        public Builder memoryLimit(String size) {
            return memoryLimit(MemorySize.parseBytes(size));
        }

        public Builder env(String name, String value) {
            checkEnv(name, value);
            environment.put(name, value);
            return this;
        }

        public Builder workingDirectory(String directory) {
            checkWorkingDirectory(directory);
            this.workingDirectory = directory;
            return this;
        }

        public Builder execTimeout(Duration timeout) {
            checkTimeout("exec timeout", timeout);
            this.execTimeout = timeout;
            return this;
        }

        /** How much of each of a command's stdout and stderr is kept (at least 1 KiB), such as {@code "16m"}. */
        public Builder outputLimit(String size) {
            long bytes;
            try {
                bytes = MemorySize.parseBytes(size);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("output limit \"" + size + "\" does not parse: use a size of at least 1 KiB "
                        + "with an optional unit k, m or g, such as \"16m\"", e);
            }
            if (bytes < 1024) {
                throw new IllegalArgumentException("output limit \"" + size + "\" is below 1 KiB: use at least \"1k\", such as \"16m\"");
            }
            this.outputLimitBytes = bytes;
            return this;
        }

        /** {@link Seccomp#DEFAULT} (Docker's profile), {@link Seccomp#UNCONFINED}, or a profile file of yours. */
        public Builder seccomp(Seccomp seccomp) {
            if (seccomp == null) {
                throw new IllegalArgumentException("seccomp must not be null: use Seccomp.DEFAULT, Seccomp.UNCONFINED or Seccomp.fromFile(path)");
            }
            this.seccomp = seccomp;
            return this;
        }

        /** A bind or tmpfs mount; see {@link Mount}. */
        public Builder mount(Mount mount) {
            if (mount == null) {
                throw new IllegalArgumentException("mount must not be null: use Mount.bind(path, target) or Mount.tmpfs(target, size)");
            }
            mounts.add(mount);
            return this;
        }

        /** A tmpfs of at most {@code size} ({@code "64m"}) at {@code target}, as {@code docker run --tmpfs}. */
        public Builder tmpfs(String target, String size) {
            return mount(Mount.tmpfs(target, size));
        }

        /** A root filesystem that refuses writes (EROFS), as {@code docker run --read-only}. */
        public Builder readOnlyRootfs(boolean readOnly) {
            this.readOnlyRootfs = readOnly;
            return this;
        }

        /** Who runs commands unless an {@link Exec} says otherwise: a name or uid, optionally {@code :group}. */
        public Builder user(String user) {
            checkUser(user);
            this.user = user;
            return this;
        }

        /**
         * The most CPU time per wall-clock time, in CPUs, as {@code docker run --cpus}: 0.5 lets the
         * container's processes together use half of one CPU, 2 two CPUs' worth. From 0.01 to the number
         * of CPUs this host offers.
         */
        public Builder cpus(double cpus) {
            int available = CpuList.available().cardinality();
            if (!(cpus > 0)) {
                throw new IllegalArgumentException("cpus " + cpus + " must be positive: a fraction of one CPU such as 0.5, "
                        + "or a number of CPUs such as 2");
            }
            if (cpus < 0.01) {
                throw new IllegalArgumentException("cpus " + cpus + " is below 0.01, the least the kernel schedules "
                        + "(1 ms per 100 ms): use 0.01 or more, such as 0.5");
            }
            if (cpus > available) {
                throw new IllegalArgumentException("cpus " + cpus + " is more than the " + available + " CPU"
                        + (available == 1 ? "" : "s") + " this host offers: use at most " + available);
            }
            this.cpus = OptionalDouble.of(cpus);
            return this;
        }

        /** {@link #cpus(double)} from text, such as {@code "0.5"} or {@code "2"}. */
        public Builder cpus(String cpus) {
            double value;
            try {
                value = Double.parseDouble(cpus == null ? "" : cpus.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("cpus \"" + cpus + "\" does not parse: use a number of CPUs such as \"0.5\" or \"2\"");
            }
            return cpus(value);
        }

        /**
         * The CPUs the container's processes may run on, as {@code docker run --cpuset-cpus}: CPU numbers
         * and ranges such as {@code "0"}, {@code "0-1"} or {@code "0,2-3"}, each one this host offers.
         */
        public Builder cpuset(String cpus) {
            BitSet requested = CpuList.parse(cpus);
            BitSet available = CpuList.available();
            BitSet missing = (BitSet) requested.clone();
            missing.andNot(available);
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("cpuset \"" + cpus + "\" names CPU" + (missing.cardinality() == 1 ? " " : "s ")
                        + CpuList.format(missing) + ", which this host does not offer: it offers CPUs " + CpuList.format(available));
            }
            this.cpuset = Optional.of(CpuList.format(requested));
            return this;
        }

        /** The size of /dev/shm, such as {@code "256m"}; Docker's 64 MiB by default, as {@code --shm-size} says it. */
        public Builder shmSize(String size) {
            this.shmSizeBytes = tmpfsSize("/dev/shm", size);
            return this;
        }

        /** The size of the tmpfs on /tmp, such as {@code "4g"}; 1 GiB by default. Its files count as the container's memory. */
        public Builder tmpSize(String size) {
            this.tmpSizeBytes = tmpfsSize("/tmp", size);
            return this;
        }

        /** The size of the tmpfs on /run, such as {@code "16m"}; 64 MiB by default. */
        public Builder runSize(String size) {
            this.runSizeBytes = tmpfsSize("/run", size);
            return this;
        }

        private static long tmpfsSize(String where, String size) {
            long bytes;
            try {
                bytes = MemorySize.parseBytes(size);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("size of " + where + ": " + e.getMessage(), e);
            }
            if (bytes < 4096) {
                throw new IllegalArgumentException("size of " + where + " \"" + size
                        + "\" is below one page (4 KiB): use at least \"4k\", such as \"64m\"");
            }
            return bytes;
        }

        /** Checks everything and returns the spec; throws {@link IllegalArgumentException} naming the bad value. */
        public ContainerSpec build() {
            if (hostname == null || !isHostname(hostname)) {
                throw new IllegalArgumentException("hostname \"" + hostname
                        + "\" is invalid: use 1 to 64 letters, digits, '-' or '.', starting with a letter or digit");
            }
            Optional<Path> checkedRootfs = Optional.ofNullable(rootfs).map(Builder::checkRootfs);
            Optional<String> checkedImage = Optional.ofNullable(image).map(Builder::checkImage);
            if (checkedRootfs.isPresent() && checkedImage.isPresent()) {
                throw new IllegalArgumentException("both a rootfs (" + checkedRootfs.get() + ") and an image (" + image
                        + ") are given: a container has one root filesystem; keep one of them");
            }
            Set<String> targets = new HashSet<>();
            for (Mount mount : mounts) {
                if (!targets.add(mount.target())) {
                    throw new IllegalArgumentException("two mounts have the target " + mount.target() + ": give each its own path");
                }
            }
            return new ContainerSpec(checkedRootfs, checkedImage, hostname, pidsLimit, memoryLimitBytes, environment, Optional.ofNullable(workingDirectory), execTimeout,
                    outputLimitBytes, seccomp, mounts, readOnlyRootfs, Optional.ofNullable(user), cpus, cpuset,
                    shmSizeBytes, tmpSizeBytes, runSizeBytes);
        }

        /** The reference's syntax and its file or directory, checked now; the layers are read when a container starts. */
        static String checkImage(String reference) {
            ImageReference parsed = ImageReference.parse(reference);
            Path path = parsed.resolvePath(Path.of("").toAbsolutePath());
            if (!Files.exists(path)) {
                throw new IllegalArgumentException("image " + reference + ": " + path + " does not exist; make it with "
                        + (parsed.transport() == ImageReference.Transport.OCI ? "skopeo copy ... oci:" + parsed.path() : "docker save -o " + parsed.path())
                        + ", or give the path of an existing one");
            }
            return reference;
        }

        /**
         * A path PID 1 gets as a string: a NUL would end it early (and shift every string after it in the
         * request), and one longer than Linux's PATH_MAX, or with a name longer than NAME_MAX, can never be
         * entered.
         */
        static void checkPath(String what, String path) {
            if (path.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(what + " \"" + path.replace("\0", "\\0") + "\" holds a NUL byte: give a path without one");
            }
            int bytes = path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes >= PATH_MAX) {
                throw new IllegalArgumentException(what + " is " + bytes + " bytes long, longer than Linux's paths may be ("
                        + (PATH_MAX - 1) + " bytes): give a shorter path");
            }
            for (String name : path.split("/")) {
                if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > NAME_MAX) {
                    throw new IllegalArgumentException(what + " \"" + path + "\" has a name longer than Linux's file names may be ("
                            + NAME_MAX + " bytes): \"" + name + "\"");
                }
            }
        }

        static Path checkRootfs(Path rootfs) {
            Path absolute = rootfs.toAbsolutePath().normalize();
            if (!Files.isDirectory(absolute)) {
                throw new IllegalArgumentException("rootfs " + absolute + " does not exist or is not a directory: "
                        + "give a directory holding a root filesystem (with /bin/sh), or leave it out for the built-in one");
            }
            try (Stream<Path> entries = Files.list(absolute)) {
                if (entries.findAny().isEmpty()) {
                    throw new IllegalArgumentException("rootfs " + absolute + " is empty: it needs a root filesystem "
                            + "(at least the program to run); leave it out for the built-in one");
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("rootfs " + absolute + " cannot be read: " + e.getMessage(), e);
            }
            return absolute;
        }
    }

    /** RFC 1123 host names: what sethostname accepts and other tools expect. */
    private static boolean isHostname(String name) {
        if (name.isEmpty() || name.length() > 64 || !Character.isLetterOrDigit(name.charAt(0)) || name.charAt(0) > 127) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    static void checkEnv(String name, String value) {
        if (name == null || name.isEmpty() || name.contains("=") || name.contains("\0")) {
            throw new IllegalArgumentException("environment variable name \"" + name
                    + "\" is invalid: it must be non-empty and contain neither '=' nor NUL");
        }
        if (value == null || value.contains("\0")) {
            throw new IllegalArgumentException("environment variable " + name + " needs a value without NUL");
        }
    }

    static void checkWorkingDirectory(String directory) {
        if (directory == null || !directory.startsWith("/")) {
            throw new IllegalArgumentException("working directory \"" + directory
                    + "\" must be an absolute path inside the container, such as \"/\"");
        }
        Builder.checkPath("working directory", directory);
    }

    static void checkTimeout(String what, Duration timeout) {
        checkTimeout(what, timeout, "Duration.ofSeconds(30)");
    }

    static void checkTimeout(String what, Duration timeout, String example) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(what + " " + timeout + " must be positive, such as " + example);
        }
    }

    /** {@code name}, {@code uid}, {@code name:group}, {@code uid:gid}: resolved when a command runs. */
    static void checkUser(String user) {
        if (user == null || user.isEmpty() || user.contains("\0") || user.indexOf(':') != user.lastIndexOf(':')
                || user.startsWith(":") || user.endsWith(":") || user.contains("/")) {
            throw new IllegalArgumentException("user \"" + user + "\" is invalid: give a name or uid, optionally with "
                    + ":group or :gid, such as \"nobody\", \"1000\" or \"1000:1000\"");
        }
    }
}
