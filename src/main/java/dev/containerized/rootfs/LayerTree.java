package dev.containerized.rootfs;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the unpacker has put where in a layer directory so far. The directory is new and ours alone
 * while it is filled, so this record is the truth about it, and the safety checks stand on it: a name
 * is written only when every directory above it is a real directory made by this layer, never a
 * symlink (which could point anywhere on the host).
 */
final class LayerTree {
    enum Kind { DIRECTORY, FILE, SYMLINK, SPECIAL, WHITEOUT }

    private final TreeMap<String, Kind> nodes = new TreeMap<>();

    LayerTree() {
        nodes.put("", Kind.DIRECTORY);
    }

    Kind get(String path) {
        return nodes.get(path);
    }

    void put(String path, Kind kind) {
        nodes.put(path, kind);
    }

    /** Forgets the path and, for a directory, everything below it. */
    void remove(String path) {
        nodes.remove(path);
        // Every name below "a" sorts between "a/" and "a0" ('0' follows '/').
        nodes.subMap(path + "/", true, path + "0", false).clear();
    }

    /** The first ancestor of {@code path} that is not a directory of this layer, or null when all are. */
    String firstNonDirectoryAncestor(String path) {
        int slash = path.indexOf('/');
        while (slash >= 0) {
            String ancestor = path.substring(0, slash);
            if (nodes.get(ancestor) != Kind.DIRECTORY) {
                return ancestor;
            }
            slash = path.indexOf('/', slash + 1);
        }
        return null;
    }

    Map<String, Kind> view() {
        return java.util.Collections.unmodifiableMap(nodes);
    }
}
