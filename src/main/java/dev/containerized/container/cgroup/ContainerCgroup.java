package dev.containerized.container.cgroup;

import dev.containerized.container.CgroupStats;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * The cgroup of one container, made by the test JVM before the init starts and removed after it
 * ended. The init only places commands in it, through {@link #placement()}. The init itself stays
 * outside: a JVM's own threads and heap would eat the container's limits.
 */
public sealed interface ContainerCgroup permits CgroupDriver {
    /** Every cgroup this project makes lives below a parent of this name. */
    String PARENT = "containerized";

    static ContainerCgroup create(CgroupLayout layout, String id, OptionalLong pidsMax, OptionalLong memoryMaxBytes) {
        return switch (layout.version()) {
            case V1 -> CgroupV1.create(layout, id, pidsMax, memoryMaxBytes);
            case V2 -> CgroupV2.create(layout, id, pidsMax, memoryMaxBytes);
        };
    }

    /** The parent directories of this layout, one per hierarchy: where stale cgroups are swept. */
    static List<Path> parents(CgroupLayout layout) {
        return switch (layout.version()) {
            case V1 -> CgroupV1.parents(layout);
            case V2 -> List.of(CgroupV2.parent(layout));
        };
    }

    String id();

    /** What the init needs to place a command in this cgroup before its first instruction. */
    CgroupPlacement placement();

    /** The figures now; after {@link #destroy} the last ones read before removal. */
    CgroupStats stats();

    /** Kills what is left, waits until the cgroup is empty and removes it. Idempotent. */
    void destroy(Duration timeout);

    /** Removes the cgroup directories named {@code id} below the layout's parents, killing what is in them. */
    static void sweep(CgroupLayout layout, String id) {
        for (Path parent : parents(layout)) {
            Path dir = parent.resolve(id);
            if (Files.isDirectory(dir)) {
                Cgroups.killAndRemove(dir, Duration.ofSeconds(5));
            }
        }
    }
}
