package dev.containerized.rootfs;

import dev.containerized.internal.linux.FileCalls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Unpacked layers, each once, shared by every image that has it:
 * <pre>
 * &lt;cache&gt;/layers/                       root-only (0700): layers hold setuid files and device nodes
 *   sha256/&lt;diff_id hex&gt;/              a layer, keyed by the digest of its uncompressed tar
 *   chain/sha256/&lt;chain id hex&gt;/       a layer whose hard links reached into the layers below (rare)
 *   flat/sha256/&lt;key hex&gt;/             bottom layers merged into one (see {@link LayerStack})
 *   tmp/                                 layers being unpacked ({@link WorkDirectory})
 * </pre>
 * Keyed by diff_id, not by the compressed blob's digest: the same layer gzip-compressed in an OCI
 * layout and uncompressed in a docker archive (or recompressed by another tool) is one directory, and
 * the diff_id is verified on every unpack since the tar is hashed as it is read. The one exception is
 * a layer with a hard link to a file of a lower layer: the copy depends on those layers, so that layer
 * is kept under its chain ID (the OCI spec's digest of the whole stack up to it) instead.
 * <p>
 * A layer is unpacked into a temporary directory and renamed into place only when complete and
 * verified. Concurrent JVMs may unpack the same layer at once: the first rename wins, the others
 * discard their copy. Within one JVM a lock per layer avoids the duplicate work.
 */
final class LayerCache {
    private static final System.Logger LOG = System.getLogger(LayerCache.class.getName());
    private static final ConcurrentHashMap<String, Object> LOCKS = new ConcurrentHashMap<>();
    private static final Pattern RELATIVE = Pattern.compile("(sha256|chain/sha256|flat/sha256)/[0-9a-f]{64}");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private final Path root;

    LayerCache(Path cacheDirectory) {
        this.root = cacheDirectory.toAbsolutePath().normalize().resolve("layers");
    }

    /** Makes the layers directory, readable by root only, before any layer goes in. */
    LayerCache prepare() {
        try {
            Files.createDirectories(root.resolve("tmp"));
            // A layer can hold a setuid-root shell or a 0666 node of the host's disk: in a directory others
            // can enter, any local user would have root. Docker keeps /var/lib/docker 0710 for the same reason.
            if (!Files.getPosixFilePermissions(root).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(root, OWNER_ONLY);
            }
            WorkDirectory.sweep(root.resolve("tmp"));
            return this;
        } catch (IOException e) {
            throw new ImageException("cannot make the layer cache " + root + ": " + e.getMessage()
                    + "; set -D" + Cache.PROPERTY + " to a writable directory", e);
        }
    }

    Path root() {
        return root;
    }

    /** The directory of an unpacked layer, if the cache has it under its diff_id or its chain ID. */
    Optional<Path> find(Digest diffId, Digest chainId) {
        Path byDiffId = root.resolve("sha256").resolve(diffId.hex());
        if (Files.isDirectory(byDiffId)) {
            return Optional.of(byDiffId);
        }
        Path byChain = root.resolve("chain/sha256").resolve(chainId.hex());
        return Files.isDirectory(byChain) ? Optional.of(byChain) : Optional.empty();
    }

    /**
     * The layer's directory, unpacked now unless the cache has it.
     *
     * @param lowersTopFirst the unpacked layers below it, for hard links to their files
     */
    Path unpack(LayerBlob blob, Digest chainId, List<Path> lowersTopFirst) {
        LayerStream.checkMediaType(blob);
        Optional<Path> cached = find(blob.diffId(), chainId);
        if (cached.isPresent()) {
            return cached.get();
        }
        synchronized (LOCKS.computeIfAbsent(blob.diffId().hex(), k -> new Object())) {
            cached = find(blob.diffId(), chainId);
            if (cached.isPresent()) {
                return cached.get();
            }
            try (WorkDirectory work = createTemp(blob.diffId().hex().substring(0, 12) + "-")) {
                Path temp = work.path();
                long start = System.nanoTime();
                LayerUnpacker.Result result = unpackInto(blob, temp, lowersTopFirst);
                Path target = result.copiedFromLowerLayers()
                        ? root.resolve("chain/sha256").resolve(chainId.hex())
                        : root.resolve("sha256").resolve(blob.diffId().hex());
                moveIntoPlace(temp, target);
                LOG.log(System.Logger.Level.DEBUG, () -> "unpacked " + blob.where() + " in "
                        + (System.nanoTime() - start) / 1_000_000 + " ms");
                return target;
            }
        }
    }

    private static LayerUnpacker.Result unpackInto(LayerBlob blob, Path temp, List<Path> lowersTopFirst) {
        requireRoomFor(blob, temp);
        try (LayerStream stream = LayerStream.open(blob)) {
            LayerUnpacker.Result result = new LayerUnpacker(blob.where(), FileCalls.bytes(temp),
                    new LowerLayers(lowersTopFirst)).unpack(stream.tar());
            stream.verify();
            return result;
        } catch (TarException e) {
            throw new ImageException(e.getMessage() + "; the layer is not a tar this library reads", e);
        } catch (IOException e) {
            throw new ImageException(blob.where() + " cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * A layer whose blob alone is larger than the room left where it would be unpacked cannot be unpacked
     * there: refused before it is read, however long reading it would take (a sparse blob of terabytes
     * hashes for hours before its digest could fail).
     */
    private static void requireRoomFor(LayerBlob blob, Path temp) {
        if (blob.size().isEmpty()) {
            return;
        }
        long usable;
        try {
            usable = Files.getFileStore(temp).getUsableSpace();
        } catch (IOException e) {
            return; // the unpacking says what is wrong with the directory
        }
        if (blob.size().getAsLong() > usable) {
            throw new ImageException(blob.where() + " is " + blob.size().getAsLong() + " bytes, more than the " + usable
                    + " bytes free where it would be unpacked (" + temp.getParent() + "): free some space there, or set -D"
                    + Cache.PROPERTY + "=DIR to a filesystem with room");
        }
    }

    /** Renames a complete directory into place; when another JVM was first, its copy stays and ours goes. */
    void moveIntoPlace(Path temp, Path target) {
        try {
            Files.createDirectories(target.getParent());
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.isDirectory(target)) {
                throw new ImageException("cannot move the unpacked " + temp + " to " + target + ": " + e, e);
            }
        }
    }

    /** A work directory in tmp/, on the cache's file system so that it can be renamed into place. */
    WorkDirectory createTemp(String prefix) {
        return WorkDirectory.create(root.resolve("tmp"), prefix);
    }

    /** The name of an unpacked directory relative to the cache, as image markers record it. */
    String relative(Path dir) {
        return root.relativize(dir).toString();
    }

    /** A directory from {@link #relative}, if the name is one this cache makes and the directory is there. */
    Optional<Path> fromRelative(String name) {
        if (!RELATIVE.matcher(name).matches()) {
            return Optional.empty();
        }
        Path dir = root.resolve(name);
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    /** The OCI chain ID of a layer over {@code parent}, the chain ID of the layers below it (null for the bottom one). */
    static Digest chainId(Digest parent, Digest diffId) {
        if (parent == null) {
            return diffId;
        }
        return sha256((parent + " " + diffId).getBytes(StandardCharsets.US_ASCII));
    }

    static Digest sha256(byte[] bytes) {
        try {
            return new Digest(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
