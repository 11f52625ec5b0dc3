package dev.containerized.container.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The v1 cpuset controller's two rules: a new cgroup starts with no CPUs and no memory nodes and takes
 * no task (ENOSPC) until it has both, and a cgroup's CPUs must be a subset of its parent's.
 */
final class CpusetV1 {
    private static final String CPUS = "cpuset.cpus";
    private static final String MEMS = "cpuset.mems";
    private static final System.Logger LOG = System.getLogger(CpusetV1.class.getName());

    /** Our parents whose new children the kernel gives the parent's CPUs and memory nodes (clone_children). */
    private static final Set<Path> CLONING_PARENTS = ConcurrentHashMap.newKeySet();

    private CpusetV1() {
    }

    /**
     * Readies a new cpuset cgroup to take tasks. The first time in a JVM, its parent (ours) gets CPUs and
     * memory nodes of its own and {@code cgroup.clone_children}, after which the kernel fills in every
     * new child at mkdir; the child is checked each time, and filled in here when it is still empty (the
     * first one, or one whose parent lost the flag).
     */
    static void readyForTasks(Path cgroup) {
        Path parent = cgroup.getParent();
        if (!CLONING_PARENTS.contains(parent)) {
            // Done by each thread that gets here before the first is through: the writes are idempotent.
            inheritFromParent(parent);
            try {
                Cgroups.write(parent.resolve("cgroup.clone_children"), "1");
            } catch (UncheckedIOException e) {
                // Only a saving: without the flag, each child is filled in below.
                LOG.log(System.Logger.Level.DEBUG, "cannot set clone_children on " + parent, e);
            }
            CLONING_PARENTS.add(parent);
        }
        inheritFromParent(cgroup);
    }

    /** Gives an empty cpuset its parent's CPUs and memory nodes (what clone_children does at mkdir). */
    private static void inheritFromParent(Path cgroup) {
        for (String file : new String[] {CPUS, MEMS}) {
            if (Cgroups.readStripped(cgroup.resolve(file)).isEmpty()) {
                String parents = Cgroups.readStripped(cgroup.getParent().resolve(file));
                if (parents.isEmpty()) { // a parent of ours made anew: the root's are never empty
                    inheritFromParent(cgroup.getParent());
                    parents = Cgroups.readStripped(cgroup.getParent().resolve(file));
                }
                Cgroups.write(cgroup.resolve(file), parents);
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
