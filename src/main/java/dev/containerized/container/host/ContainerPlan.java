package dev.containerized.container.host;

import dev.containerized.container.ContainerException;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.cgroup.CgroupLimits;
import dev.containerized.container.confine.Confinement;
import dev.containerized.rootfs.DefaultRootfs;

import java.nio.file.Path;
import java.util.List;

/**
 * What the host side needs to make one container, derived from the public spec once: its name, its
 * filesystems, its limits and how its commands are confined.
 */
public record ContainerPlan(String hostname, MountPlan mounts, CgroupLimits limits, Confinement confinement,
                            String workingDirectory, boolean terminal) {
    /** The plan for {@code spec}; building the built-in rootfs first if it is the one asked for and not cached yet. */
    public static ContainerPlan of(ContainerSpec spec) {
        Path rootfs = spec.rootfs().orElseGet(ContainerPlan::builtInRootfs);
        MountPlan mounts = new MountPlan(List.of(rootfs), false, List.of(), spec.tmpSizeBytes(), spec.runSizeBytes(),
                spec.shmSizeBytes());
        return new ContainerPlan(spec.hostname(), mounts, new CgroupLimits(spec.pidsLimit(), spec.memoryLimitBytes()),
                Confinement.docker(spec.seccomp()), spec.workingDirectory(), false);
    }

    /** The same plan, with a pseudo-terminal of the container's own made during setup. */
    ContainerPlan withTerminal() {
        return new ContainerPlan(hostname, mounts, limits, confinement, workingDirectory, true);
    }

    private static Path builtInRootfs() {
        try {
            return DefaultRootfs.path();
        } catch (RuntimeException e) {
            throw new ContainerException("cannot build the built-in rootfs: " + e.getMessage(), e);
        }
    }
}
