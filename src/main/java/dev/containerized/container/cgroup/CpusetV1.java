package dev.containerized.container.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The v1 cpuset controller's two rules: a new cgroup starts with no CPUs and no memory nodes and takes
 * no task (ENOSPC) until it has both, and a cgroup's CPUs must be a subset of its parent's.
 */
final class CpusetV1 {
    private static final String CPUS = "cpuset.cpus";
    private static final String MEMS = "cpuset.mems";

    private CpusetV1() {
    }

    /** Gives an empty cpuset its parent's CPUs and memory nodes (what clone_children would have done). */
    static void inheritFromParent(Path cgroup) {
        for (String file : new String[] {CPUS, MEMS}) {
            if (Cgroups.readStripped(cgroup.resolve(file)).isEmpty()) {
                Cgroups.write(cgroup.resolve(file), Cgroups.readStripped(cgroup.getParent().resolve(file)));
            }
        }
    }

    /** Narrows a container's cpuset to {@code cpus}, which must lie within its parent's. */
    static void restrict(Path cgroup, String cpus) {
        try {
            Files.writeString(cgroup.resolve(CPUS), cpus);
        } catch (IOException e) {
            String allowed = Cgroups.readStripped(cgroup.getParent().resolve(CPUS));
            throw new IllegalStateException("cannot restrict the container to CPUs " + cpus + ": writing " + cgroup.resolve(CPUS)
                    + " failed (" + e.getMessage() + "); the cgroup it is made in may use only CPUs " + allowed
                    + ": ask for CPUs among those", e);
        }
    }
}
