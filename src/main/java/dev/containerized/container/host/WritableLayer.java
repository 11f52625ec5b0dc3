package dev.containerized.container.host;

import dev.containerized.container.ContainerException;

import java.util.OptionalLong;

/**
 * Where a container's writes to its root filesystem (its overlay's upper layer) are kept, chosen by
 * {@code -Dcontainerized.writableLayer} when the container is planned.
 *
 * <p>In memory by default, as bubblewrap's and Docker's {@code --tmpfs} are: the container's /tmp, /run
 * and /dev/shm already were, and on most hosts the state directory's {@code /run} is a tmpfs too, where
 * the layers of all containers shared the host's {@code /run} and one container could fill it for the
 * host's own services. A tmpfs of the container's own takes nothing from the host but memory, charged to
 * the container; it is never on the host's disk, so a killed JVM leaves no tree behind to sweep; and on a
 * host whose state directory is on a disk filesystem, a start and a close skip a dozen journaled
 * directory operations (on ext4, about a sixth of a container's CPU time, measured with ten at once).
 */
public enum WritableLayer {
    /**
     * A tmpfs mounted over the container's state directory inside its own mount namespace (the host sees
     * only the lock there): under a memory limit, that limit less 64 MiB (half of a limit below 128 MiB)
     * for its processes; without one, the kernel's default of half the RAM. Its pages count as the
     * container's memory.
     */
    MEMORY("memory"),
    /**
     * The state directory's filesystem, as Docker's overlay2 keeps it on disk: for a container that writes
     * more than its memory limit should hold. On a disk filesystem (set {@code -Dcontainerized.stateDir}
     * to one: {@code /run} is a tmpfs on most hosts), writes count against its room, not memory; on a
     * tmpfs, their pages are the writer's memory all the same.
     */
    STATE_DIRECTORY("stateDir");

    public static final String PROPERTY = "containerized.writableLayer";

    private final String value;

    WritableLayer(String value) {
        this.value = value;
    }

    /**
     * The property's value, {@code memory} when it is not set, in any case and with blanks around it as
     * the other settings take theirs; another value is refused with the ones it may take.
     */
    public static WritableLayer configured() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.strip().equalsIgnoreCase(MEMORY.value)) {
            return MEMORY;
        }
        if (value.strip().equalsIgnoreCase(STATE_DIRECTORY.value)) {
            return STATE_DIRECTORY;
        }
        throw new ContainerException("-D" + PROPERTY + "=" + value + " is not a place for the containers' writable layer: use "
                + MEMORY.value + " (the default: a tmpfs of each container's own, charged to its memory) or " + STATE_DIRECTORY.value
                + " (the state directory's filesystem, " + StateDirectory.base() + ")");
    }

    /** The tmpfs's mount options: root's alone, and {@code sizeBytes} big where given. */
    static String tmpfsOptions(OptionalLong sizeBytes) {
        return "mode=0700" + (sizeBytes.isPresent() ? ",size=" + sizeBytes.getAsLong() : "");
    }

    @Override
    public String toString() {
        return value;
    }
}
