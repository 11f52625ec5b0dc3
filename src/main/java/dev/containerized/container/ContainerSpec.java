package dev.containerized.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a container is made of. Immutable; built with {@link #builder()}, which checks every value and
 * says which one is wrong and what it should be, before anything is created.
 *
 * @param rootfs           the root filesystem, read-only under the container's overlay; empty for
 *                         the built-in one
 * @param hostname         the container's own hostname
 * @param pidsLimit        the most tasks the container's processes may have (pids.max)
 * @param memoryLimitBytes the most memory they may use, without swap (memory.max)
 * @param environment      the environment of every command
 * @param workingDirectory where commands start, inside the container
 * @param execTimeout      how long {@link Container#exec(String...)} waits before it kills the command
 * @param outputLimitBytes how much of each of a command's stdout and stderr is kept: its first half and
 *                         its last half; what lies between is dropped and counted
 * @param seccomp          the system calls commands may make: Docker's default profile unless set
 */
public record ContainerSpec(Optional<Path> rootfs, String hostname, OptionalLong pidsLimit,
                            OptionalLong memoryLimitBytes, Map<String, String> environment,
                            String workingDirectory, Duration execTimeout, long outputLimitBytes, Seccomp seccomp) {
    public static final String DEFAULT_HOSTNAME = "containerized";
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** 4 MiB of each stream: room for any test's output, and a bound a flood cannot take the test JVM past. */
    public static final long DEFAULT_OUTPUT_LIMIT = 4L << 20;
    /** linux/limits.h: the longest path (with its NUL) and file name the kernel takes. */
    private static final int PATH_MAX = 4096;
    private static final int NAME_MAX = 255;
    /** linux/threads.h PID_MAX_LIMIT on 64-bit: the largest value pids.max takes. */
    private static final long PID_MAX_LIMIT = 4L << 20;
    /** RFC 1123 host names: what sethostname accepts and other tools expect. */
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,63})?");

    public ContainerSpec {
        environment = Map.copyOf(environment);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this spec. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.rootfs = rootfs.orElse(null);
        b.hostname = hostname;
        b.pidsLimit = pidsLimit;
        b.memoryLimitBytes = memoryLimitBytes;
        b.environment.clear();
        b.environment.putAll(environment);
        b.workingDirectory = workingDirectory;
        b.execTimeout = execTimeout;
        b.outputLimitBytes = outputLimitBytes;
        b.seccomp = seccomp;
        return b;
    }

    public static final class Builder {
        private Path rootfs;
        private String hostname = DEFAULT_HOSTNAME;
        private OptionalLong pidsLimit = OptionalLong.empty();
        private OptionalLong memoryLimitBytes = OptionalLong.empty();
        private final Map<String, String> environment = new LinkedHashMap<>(Map.of(
                "PATH", DEFAULT_PATH, "HOME", "/root", "TERM", "xterm"));
        private String workingDirectory = "/";
        private Duration execTimeout = Duration.ofMinutes(2);
        private long outputLimitBytes = DEFAULT_OUTPUT_LIMIT;
        private Seccomp seccomp = Seccomp.DEFAULT;

        private Builder() {
        }

        /** A directory holding a root filesystem; the default is the built-in busybox rootfs. */
        public Builder rootfs(Path rootfs) {
            this.rootfs = rootfs;
            return this;
        }

        public Builder hostname(String hostname) {
            this.hostname = hostname;
            return this;
        }

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
            if (name == null || name.isEmpty() || name.contains("=") || name.contains("\0")) {
                throw new IllegalArgumentException("environment variable name \"" + name
                        + "\" is invalid: it must be non-empty and contain neither '=' nor NUL");
            }
            if (value == null || value.contains("\0")) {
                throw new IllegalArgumentException("environment variable " + name + " needs a value without NUL");
            }
            environment.put(name, value);
            return this;
        }

        public Builder workingDirectory(String directory) {
            this.workingDirectory = directory;
            return this;
        }

        public Builder execTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("exec timeout " + timeout + " must be positive, such as Duration.ofMinutes(2)");
            }
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

        /** Checks everything and returns the spec; throws {@link IllegalArgumentException} naming the bad value. */
        public ContainerSpec build() {
            if (hostname == null || !HOSTNAME.matcher(hostname).matches()) {
                throw new IllegalArgumentException("hostname \"" + hostname
                        + "\" is invalid: use 1 to 64 letters, digits, '-' or '.', starting with a letter or digit");
            }
            if (workingDirectory == null || !workingDirectory.startsWith("/")) {
                throw new IllegalArgumentException("working directory \"" + workingDirectory
                        + "\" must be an absolute path inside the container, such as \"/\"");
            }
            checkPath("working directory", workingDirectory);
            Optional<Path> checkedRootfs = Optional.ofNullable(rootfs).map(Builder::checkRootfs);
            environment.putIfAbsent("HOSTNAME", hostname);
            return new ContainerSpec(checkedRootfs, hostname, pidsLimit, memoryLimitBytes, environment,
                    workingDirectory, execTimeout, outputLimitBytes, seccomp);
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
}
