package dev.containerized.container.host;

import java.util.OptionalLong;

/**
 * The sizes of a container's tmpfs (its root's writable layer, /tmp, /run, /dev/shm and the test's tmpfs
 * mounts) under a memory limit. Their pages count against that limit and nothing can reclaim them: a tmpfs as big as the limit,
 * once full, left the memory cgroup no room, and the next fork's OOM kill took the container's PID 1 and
 * the container with it (review26 #3, review27 #1). Each is therefore at most the limit less the room its
 * processes need, so that a writer that fills one gets ENOSPC, as on a full disk, and the rest goes on.
 * Several filled together can still fill the limit, as in Docker.
 */
final class MemoryBackedSizes {
    /** Room in the memory limit left to the container's processes, up to half the limit. */
    static final long PROCESS_ROOM_BYTES = 64L << 20;

    private MemoryBackedSizes() {
    }

    /** The most a tmpfs of the container holds under a memory limit of {@code limitBytes}. */
    static long mostUnder(long limitBytes) {
        return Math.max(limitBytes / 2, limitBytes - PROCESS_ROOM_BYTES);
    }

    /** The most a tmpfs of the container holds under {@code memoryLimitBytes}; empty, the kernel's default, without one. */
    static OptionalLong mostUnder(OptionalLong memoryLimitBytes) {
        return memoryLimitBytes.isPresent() ? OptionalLong.of(mostUnder(memoryLimitBytes.getAsLong())) : OptionalLong.empty();
    }

    /** {@code sizeBytes}, or less under a memory limit: at most {@link #mostUnder} it. */
    static long capped(long sizeBytes, OptionalLong memoryLimitBytes) {
        return memoryLimitBytes.isPresent() ? Math.min(sizeBytes, mostUnder(memoryLimitBytes.getAsLong())) : sizeBytes;
    }
}
