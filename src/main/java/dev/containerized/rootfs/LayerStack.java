package dev.containerized.rootfs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Orders unpacked layers for overlayfs's {@code lowerdir=} (top layer first) and keeps the list within
 * what the kernel takes. mount(2) copies its option string into one page (4096 bytes), and overlayfs
 * stacks at most 500 lower layers; a layer's path in the default cache,
 * /root/.cache/containerized/layers/sha256/HEX, is about 105 bytes, so some 28 layers fill the budget.
 * So when the list would pass {@link #LOWERDIR_BUDGET} bytes, the bottom layers are merged into
 * one directory (cached too, keyed by the layers it holds, so one stack is merged once) and the top
 * ones kept as they are, so that a change in a top layer does not redo the merge.
 */
final class LayerStack {
    /** For lowerdir's value: leaves 1000 of the page's 4096 bytes to upperdir=, workdir= and other options. */
    static final int LOWERDIR_BUDGET = 3000;
    /** overlayfs's OVL_MAX_STACK. */
    static final int MAX_LOWER_DIRS = 500;

    private final LayerCache cache;
    private final int budget;

    LayerStack(LayerCache cache, int budget) {
        this.cache = cache;
        this.budget = budget;
    }

    List<Path> topFirst(List<Path> bottomFirst) {
        if (bottomFirst.isEmpty()) {
            return List.of(merged(List.of())); // an image without layers is an empty directory
        }
        List<Path> topFirst = new ArrayList<>(bottomFirst);
        Collections.reverse(topFirst);
        if (topFirst.size() <= MAX_LOWER_DIRS && length(topFirst) <= budget) {
            return List.copyOf(topFirst);
        }
        int used = length(List.of(flatDirectory(LayerCache.sha256(new byte[0]))));
        if (used > budget) {
            throw new ImageException("the layer cache's path " + cache.root() + " is too long for an overlay mount's"
                    + " options; set -D" + Cache.PROPERTY + " to a shorter directory");
        }
        int kept = 0;
        while (kept < topFirst.size() - 1 && kept + 1 < MAX_LOWER_DIRS) {
            int next = length(List.of(topFirst.get(kept))) + 1;
            if (used + next > budget) {
                break;
            }
            used += next;
            kept++;
        }
        List<Path> result = new ArrayList<>(topFirst.subList(0, kept));
        result.add(merged(bottomFirst.subList(0, bottomFirst.size() - kept)));
        return List.copyOf(result);
    }

    /** The merge of these layers, made now unless the cache has it. */
    private Path merged(List<Path> layersBottomFirst) {
        StringBuilder key = new StringBuilder("flattened layers, bottom first\n");
        layersBottomFirst.forEach(layer -> key.append(cache.relative(layer)).append('\n'));
        Path target = flatDirectory(LayerCache.sha256(key.toString().getBytes(StandardCharsets.US_ASCII)));
        if (Files.isDirectory(target)) {
            return target;
        }
        synchronized (LayerStack.class) {
            if (Files.isDirectory(target)) {
                return target;
            }
            try (WorkDirectory work = cache.createTemp("flat-")) {
                Flattener.flatten(layersBottomFirst, work.path());
                cache.moveIntoPlace(work.path(), target);
                return target;
            }
        }
    }

    private Path flatDirectory(Digest key) {
        return cache.root().resolve("flat/sha256").resolve(key.hex());
    }

    private static int length(List<Path> dirs) {
        return ResolvedImage.joinedLowerDirs(dirs).getBytes(StandardCharsets.UTF_8).length;
    }
}
