package dev.containerized.container.host;

import dev.containerized.container.ContainerException;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.Mount;
import dev.containerized.container.cgroup.CgroupLimits;
import dev.containerized.container.confine.Confinement;
import dev.containerized.rootfs.DefaultRootfs;
import dev.containerized.rootfs.ImageConfig;
import dev.containerized.rootfs.ImageException;
import dev.containerized.rootfs.Images;
import dev.containerized.rootfs.ResolvedImage;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the host side needs to make one container, derived from the public spec once: its name, its
 * filesystems, its limits, how its commands are confined, and their defaults (environment, working
 * directory, user, and an image's command) with an image's config under the spec's own settings.
 *
 * @param makeWorkingDirectory whether a missing working directory is made (an image's) rather than refused (the spec's)
 * @param environment      every command's environment before its own variables, as NAME=VALUE
 * @param user             who runs commands unless one says otherwise ({@code docker run --user})
 * @param imageCommand     an image's Entrypoint + Cmd, for a PID-1 run that names no command
 * @param imageEntrypoint  an image's Entrypoint, which a PID-1 run's own arguments follow, as in docker run
 */
public record ContainerPlan(String hostname, MountPlan mounts, CgroupLimits limits, Confinement confinement,
                            String workingDirectory, boolean makeWorkingDirectory, Map<String, String> environment,
                            Optional<String> user, List<String> imageEntrypoint, List<String> imageCommand, boolean terminal) {
    /** HOME is not here: it is the user's home, set for each command (see {@link #ROOT_HOME}). */
    private static final Map<String, String> DEFAULT_ENVIRONMENT = Map.of(
            "PATH", ContainerSpec.DEFAULT_PATH, "TERM", "xterm");
    /** The HOME of commands that run as root by default (no user given): root's, as in docker run. */
    public static final String ROOT_HOME = "/root";

    public ContainerPlan {
        environment = Map.copyOf(environment);
        imageEntrypoint = List.copyOf(imageEntrypoint);
        imageCommand = List.copyOf(imageCommand);
    }

    /**
     * The plan for {@code spec}: the built-in rootfs is built first if it is the one asked for and not
     * cached yet, an image's layers unpacked if they are not.
     */
    public static ContainerPlan of(ContainerSpec spec) {
        // Before the rootfs is looked up, and built if it is not there: without root, that is all a user
        // needs to hear, not that the build failed in a home they cannot write.
        HostSupport.requireRoot();
        WritableLayer writableLayer = WritableLayer.configured();
        List<Path> lowerDirs;
        ImageConfig image;
        if (spec.image().isPresent()) {
            ResolvedImage resolved = resolve(spec.image().get());
            lowerDirs = resolved.lowerDirsTopFirst();
            image = resolved.config();
        } else {
            lowerDirs = List.of(spec.rootfs().orElseGet(ContainerPlan::builtInRootfs));
            image = ImageConfig.empty();
        }
        OptionalLong memoryLimit = spec.memoryLimitBytes();
        List<MountPlan.UserMount> mounts = spec.mounts().stream().map(mount -> userMount(mount, memoryLimit)).toList();
        MountPlan plan = new MountPlan(lowerDirs, spec.readOnlyRootfs(), mounts, MemoryBackedSizes.capped(spec.tmpSizeBytes(), memoryLimit),
                MemoryBackedSizes.capped(spec.runSizeBytes(), memoryLimit), MemoryBackedSizes.capped(spec.shmSizeBytes(), memoryLimit),
                writableLayer, MemoryBackedSizes.mostUnder(memoryLimit));
        Map<String, String> environment = new LinkedHashMap<>(DEFAULT_ENVIRONMENT);
        for (String variable : image.env()) {
            int eq = variable.indexOf('=');
            if (eq > 0) {
                environment.put(variable.substring(0, eq), variable.substring(eq + 1));
            }
        }
        environment.put("HOSTNAME", spec.hostname());
        environment.putAll(spec.environment());
        // The image's working directory and user are defaults: the spec's own, when set, win.
        // An image's WorkingDir its layers lack is made, as docker run makes it; the spec's own is a test's
        // choice, and a missing one more often a typo: the start fails and names it.
        Optional<String> imageWorkingDirectory = image.workingDir().filter(d -> d.startsWith("/"));
        String workingDirectory = spec.workingDirectory().orElseGet(() -> imageWorkingDirectory.orElse("/"));
        boolean makeWorkingDirectory = spec.workingDirectory().isEmpty() && imageWorkingDirectory.isPresent();
        Optional<String> user = spec.user().or(() -> image.user().filter(u -> !u.isEmpty()));
        return new ContainerPlan(spec.hostname(), plan, new CgroupLimits(spec.pidsLimit(), spec.memoryLimitBytes(), spec.cpus(), spec.cpuset()),
                Confinement.docker(spec.seccomp()), workingDirectory, makeWorkingDirectory, environment, user, image.entrypoint(),
                image.command(), false);
    }

    /** The same plan, with a pseudo-terminal of the container's own made during setup. */
    ContainerPlan withTerminal() {
        return new ContainerPlan(hostname, mounts, limits, confinement, workingDirectory, makeWorkingDirectory, environment, user,
                imageEntrypoint, imageCommand, true);
    }

    /**
     * What a PID-1 run executes, as {@code docker run IMAGE [ARGS]} does: the image's Entrypoint followed
     * by the arguments given, or by its Cmd when none are.
     */
    public List<String> pid1Command(List<String> argv) {
        if (argv.isEmpty()) {
            return imageCommand;
        }
        List<String> command = new java.util.ArrayList<>(imageEntrypoint);
        command.addAll(argv);
        return command;
    }

    private static ResolvedImage resolve(String reference) {
        try {
            return Images.resolve(reference, Path.of("").toAbsolutePath());
        } catch (ImageException e) {
            throw new ContainerException(e.getMessage(), e);
        }
    }

    /** A tmpfs of the test's is held under the memory limit as the container's own are ({@link MemoryBackedSizes}). */
    private static MountPlan.UserMount userMount(Mount mount, OptionalLong memoryLimit) {
        return mount.source().<MountPlan.UserMount>map(source -> new MountPlan.Bind(source, mount.target(), mount.isReadOnly()))
                .orElseGet(() -> new MountPlan.Tmpfs(mount.target(), MemoryBackedSizes.capped(mount.sizeBytes(), memoryLimit)));
    }

    private static Path builtInRootfs() {
        try {
            return DefaultRootfs.path();
        } catch (RuntimeException e) {
            throw new ContainerException("cannot build the built-in rootfs: " + e.getMessage(), e);
        }
    }
}
