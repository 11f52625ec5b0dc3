package dev.containerized.rootfs;

import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.FileCalls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The unpacked layers below the one being unpacked, top first, seen as overlayfs would merge them.
 * Only a hard link to a file outside its own layer needs them: the file is copied, since each layer is
 * a directory of its own and a link cannot reach across.
 */
final class LowerLayers {
    static final byte[] OPAQUE = "trusted.overlay.opaque".getBytes(StandardCharsets.US_ASCII);

    private final List<Path> topFirst;

    LowerLayers(List<Path> topFirst) {
        this.topFirst = List.copyOf(topFirst);
    }

    /**
     * The regular file the merged lower layers show at {@code path}, or empty when they show none
     * there: absent, deleted by a whiteout, hidden by an opaque directory or a non-directory above it,
     * or reachable only through a symlink (which is never followed).
     */
    Optional<byte[]> regularFile(String path) {
        String[] parts = path.split("/");
        for (Path layer : topFirst) {
            byte[] dir = FileCalls.bytes(layer);
            boolean opaqueAbove = false;
            String prefix = "";
            for (int i = 0; i < parts.length; i++) {
                prefix = LayerPaths.child(prefix, parts[i]);
                byte[] here = LayerPaths.under(dir, prefix);
                Optional<Fcntl.FileStat> stat = FileCalls.lstat(here);
                if (stat.isEmpty()) {
                    break; // not in this layer: a lower one may have it, unless an opaque directory hides them
                }
                boolean last = i == parts.length - 1;
                if (last) {
                    return stat.get().isRegularFile() ? Optional.of(here) : Optional.empty();
                }
                if (!stat.get().isDirectory()) {
                    return Optional.empty(); // a whiteout, file or symlink in the way hides everything below
                }
                opaqueAbove |= FileCalls.getXattr(here, OPAQUE).map(v -> v.length == 1 && v[0] == 'y').orElse(false);
            }
            if (opaqueAbove) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
