package dev.containerized.container;

/**
 * One path a container changed in its root filesystem, as {@code docker diff} lists them.
 *
 * @param kind what happened to it
 * @param path its absolute path inside the container
 */
public record Change(Kind kind, String path) {
    public enum Kind {
        /** It is new: no layer of the root filesystem had it. */
        ADDED,
        /** A layer had it, and the container wrote to it (or, for a directory, to something in it). */
        CHANGED,
        /** A layer had it, and the container deleted it. */
        DELETED
    }

    /** {@code A /path}, {@code C /path}, {@code D /path}, as docker diff prints it. */
    @Override
    public String toString() {
        return kind.name().charAt(0) + " " + path;
    }
}
