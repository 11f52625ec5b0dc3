package dev.containerized.rootfs;

import dev.containerized.internal.linux.Dirents;
import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.FileCalls;
import dev.containerized.internal.linux.LinuxException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Merges unpacked layers, bottom first, into one directory, as overlayfs would show them: a later
 * layer's entry replaces an earlier one's, whiteouts delete (and are not kept: nothing lies below the
 * result), opaque directories drop what the layers below had in them. Files are hard-linked from the
 * layers, not copied: both are read-only lower directories of the same cache, and a link costs no
 * space or time. Where a link is refused (another file system, too many links) the file is copied.
 */
final class Flattener {
    private final byte[] target;
    private final byte[] buffer = new byte[256 * 1024];
    /** Directory times of the topmost layer that has each directory, set once everything is in. */
    private final Map<String, long[]> directoryTimes = new HashMap<>();

    private Flattener(byte[] target) {
        this.target = target;
    }

    /** Fills the empty directory {@code target} with the merge of {@code layersBottomFirst}. */
    static void flatten(List<Path> layersBottomFirst, Path target) {
        Flattener flattener = new Flattener(FileCalls.bytes(target));
        for (Path layer : layersBottomFirst) {
            flattener.merge(FileCalls.bytes(layer));
        }
        flattener.directoryTimes.forEach((path, time) -> {
            byte[] dir = LayerPaths.under(flattener.target, path);
            if (FileCalls.lstat(dir).map(Fcntl.FileStat::isDirectory).orElse(false)) {
                FileCalls.setTimes(dir, time[0], (int) time[1]);
            }
        });
    }

    private void merge(byte[] layer) {
        copyDirectoryMetadata(layer, target, "");
        Deque<String> directories = new ArrayDeque<>();
        directories.push("");
        while (!directories.isEmpty()) {
            String dir = directories.pop();
            for (Dirents.Entry entry : FileCalls.list(LayerPaths.under(layer, dir))) {
                String path = LayerPaths.child(dir, new String(entry.name(), StandardCharsets.ISO_8859_1));
                byte[] from = LayerPaths.under(layer, path);
                byte[] to = LayerPaths.under(target, path);
                if (Trees.isDirectory(from, entry.type())) {
                    mergeDirectory(from, to, path);
                    directories.push(path);
                } else {
                    replace(from, to, entry.type());
                }
            }
        }
    }

    private void mergeDirectory(byte[] from, byte[] to, String path) {
        Optional<Fcntl.FileStat> existing = FileCalls.lstat(to);
        boolean opaque = FileCalls.getXattr(from, LowerLayers.OPAQUE).map(v -> v.length == 1 && v[0] == 'y').orElse(false);
        if (existing.isPresent() && (opaque || !existing.get().isDirectory())) {
            Trees.remove(to);
            existing = Optional.empty();
        }
        if (existing.isEmpty()) {
            FileCalls.mkdir(to, 0700);
        }
        copyDirectoryMetadata(from, to, path);
    }

    private void copyDirectoryMetadata(byte[] from, byte[] to, String path) {
        Fcntl.FileStat stat = FileCalls.lstat(from).orElseThrow();
        FileCalls.lchown(to, stat.uid(), stat.gid());
        FileCalls.chmod(to, stat.mode() & 07777); // a directory this class made: not a symlink
        FileCopies.copyXattrs(from, to);
        directoryTimes.put(path, new long[] {stat.mtimeSeconds(), stat.mtimeNanos()});
    }

    private void replace(byte[] from, byte[] to, int direntType) {
        Trees.remove(to);
        if (direntType == Dirents.DT_REG) {
            linkOrCopy(from, to);
            return;
        }
        Fcntl.FileStat stat = FileCalls.lstat(from).orElseThrow();
        if (stat.isWhiteout()) {
            return; // deleted above, and nothing is below the merged layers for it to hide
        }
        switch (stat.type()) {
            case Fcntl.S_IFREG -> linkOrCopy(from, to);
            case Fcntl.S_IFLNK -> {
                FileCalls.symlink(FileCalls.readlink(from), to);
                FileCalls.lchown(to, stat.uid(), stat.gid());
                FileCalls.setTimes(to, stat.mtimeSeconds(), stat.mtimeNanos());
            }
            case Fcntl.S_IFCHR, Fcntl.S_IFBLK, Fcntl.S_IFIFO -> {
                FileCalls.mknod(to, stat.type(), stat.rdevMajor(), stat.rdevMinor());
                FileCalls.lchown(to, stat.uid(), stat.gid());
                FileCalls.chmod(to, stat.mode() & 07777);
                FileCalls.setTimes(to, stat.mtimeSeconds(), stat.mtimeNanos());
            }
            default -> {
                // Sockets: no layer format carries them.
            }
        }
    }

    private void linkOrCopy(byte[] from, byte[] to) {
        try {
            FileCalls.link(from, to);
        } catch (LinuxException e) {
            if (e.errno() != Errno.EXDEV && e.errno() != Errno.EMLINK && e.errno() != Errno.EPERM) {
                throw e;
            }
            FileCopies.copyFile(from, to, FileCalls.lstat(from).orElseThrow(), buffer);
        }
    }
}
