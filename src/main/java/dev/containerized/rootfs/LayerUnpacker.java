package dev.containerized.rootfs;

import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.FileCalls;
import dev.containerized.internal.linux.LinuxException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the entries of one layer's tar into a new, empty directory that overlayfs can stack: files,
 * directories, symlinks, hard links, devices and fifos with their modes (setuid, setgid and sticky
 * included), numeric owners and times; whiteouts turned into overlay's own form.
 * <p>
 * Layers are hostile input. No entry lands outside the directory: names with '..' are refused,
 * leading '/' dropped, and nothing is ever written through a symlink, since every directory above a
 * name must be a real directory this layer made ({@link LayerTree}). A refused entry throws an
 * {@link ImageException} naming the layer, the entry and why; the caller discards the directory.
 */
final class LayerUnpacker {
    private static final System.Logger LOG = System.getLogger(LayerUnpacker.class.getName());
    private static final String WHITEOUT_PREFIX = ".wh.";
    private static final String OPAQUE_MARKER = ".wh..wh..opq";
    private static final byte[] YES = {'y'};

    private final String layer;
    private final byte[] root;
    private final LowerLayers lowers;
    private final LayerTree tree = new LayerTree();
    /** Directory times wait until the end: every entry written into a directory changes its mtime. */
    private final Map<String, long[]> directoryTimes = new HashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final byte[] buffer = new byte[256 * 1024];
    private boolean copiedFromLowerLayers;

    /** What unpacking found worth knowing after it. */
    record Result(boolean copiedFromLowerLayers, List<String> notes) {
    }

    /**
     * @param layer  names the layer in errors, "layer 2/5 sha256:…"
     * @param root   the new, empty directory to fill
     * @param lowers the layers below, for hard links to files outside this layer
     */
    LayerUnpacker(String layer, byte[] root, LowerLayers lowers) {
        this.layer = layer;
        this.root = root;
        this.lowers = lowers;
    }

    Result unpack(TarReader tar) throws IOException {
        FileCalls.chmod(root, 0755);
        for (TarEntry entry = tar.next(); entry != null; entry = tar.next()) {
            try {
                apply(entry, tar);
            } catch (LinuxException e) {
                throw new ImageException(layer + ": cannot unpack the entry \"" + entry.displayName() + "\": "
                        + e.getMessage(), e);
            }
        }
        try {
            directoryTimes.forEach((path, time) -> FileCalls.setTimes(at(path), time[0], (int) time[1]));
        } catch (LinuxException e) {
            throw new ImageException(layer + ": cannot set the times of its directories: " + e.getMessage(), e);
        }
        notes.forEach(note -> LOG.log(System.Logger.Level.INFO, layer + ": " + note));
        return new Result(copiedFromLowerLayers, List.copyOf(notes));
    }

    private void apply(TarEntry entry, TarReader tar) throws IOException {
        String path = safeName(entry, entry.name(), "");
        String base = LayerPaths.baseName(path);
        if (base.startsWith(WHITEOUT_PREFIX)) {
            whiteout(entry, path, base);
            return;
        }
        if (path.isEmpty() && entry.type() != TarEntry.Type.DIRECTORY) {
            throw refuse(entry, "is a " + kind(entry) + " named like the layer's root directory");
        }
        if (!isId(entry.uid()) || !isId(entry.gid())) {
            // chown takes 32 bits, and (uid_t) -1 means "leave as is": the file would stay root's.
            throw refuse(entry, "has the owner " + entry.uid() + ":" + entry.gid() + ", which Linux cannot record");
        }
        switch (entry.type()) {
            case DIRECTORY -> directory(entry, path);
            case REGULAR -> regularFile(entry, path, tar);
            case SYMLINK -> symlink(entry, path);
            case HARD_LINK -> hardLink(entry, path);
            case CHAR_DEVICE, BLOCK_DEVICE, FIFO -> special(entry, path);
        }
    }

    private void directory(TarEntry entry, String path) {
        if (!path.isEmpty()) {
            makeParents(entry, path);
            LayerTree.Kind existing = tree.get(path);
            if (existing != LayerTree.Kind.DIRECTORY) {
                clear(path);
                FileCalls.mkdir(at(path), 0700);
                tree.put(path, LayerTree.Kind.DIRECTORY);
                if (existing == LayerTree.Kind.WHITEOUT) {
                    // This layer deletes the lower one's directory and makes a new one: overlay says so with opaque.
                    markOpaque(path);
                }
            }
        }
        byte[] target = at(path);
        FileCalls.lchown(target, entry.uid(), entry.gid());
        FileCalls.chmod(target, entry.mode());
        setXattrs(entry, target);
        directoryTimes.put(path, new long[] {entry.mtimeSeconds(), entry.mtimeNanos()});
    }

    private void regularFile(TarEntry entry, String path, TarReader tar) throws IOException {
        makeParents(entry, path);
        clear(path);
        byte[] target = at(path);
        int fd = FileCalls.createFile(target, 0600);
        try {
            for (int n = tar.read(buffer, 0, buffer.length); n > 0; n = tar.read(buffer, 0, buffer.length)) {
                FileCalls.writeFully(fd, buffer, n, target);
            }
            FileCalls.fchown(fd, entry.uid(), entry.gid(), target);
            // After chown, which clears setuid and setgid bits.
            FileCalls.fchmod(fd, entry.mode(), target);
            setXattrs(entry, target);
            FileCalls.setTimes(fd, entry.mtimeSeconds(), entry.mtimeNanos(), target);
        } finally {
            FileCalls.close(fd, target);
        }
        tree.put(path, LayerTree.Kind.FILE);
    }

    private void symlink(TarEntry entry, String path) {
        if (entry.linkName().isEmpty() || entry.linkName().indexOf('\0') >= 0) {
            throw refuse(entry, "is a symlink with an empty target or a NUL byte in it");
        }
        makeParents(entry, path);
        clear(path);
        // Any target is fine for the link itself: it is never followed while the layer is written.
        byte[] target = at(path);
        FileCalls.symlink(entry.linkName().getBytes(StandardCharsets.ISO_8859_1), target);
        FileCalls.lchown(target, entry.uid(), entry.gid());
        FileCalls.setTimes(target, entry.mtimeSeconds(), entry.mtimeNanos());
        tree.put(path, LayerTree.Kind.SYMLINK);
    }

    private void hardLink(TarEntry entry, String path) {
        String linked = safeName(entry, entry.linkName(), "hard link target ");
        if (linked.isEmpty() || linked.equals(path)) {
            throw refuse(entry, "is a hard link to \"" + TarEntry.display(entry.linkName()) + "\", which is the layer's root or itself");
        }
        makeParents(entry, path);
        LayerTree.Kind kind = tree.get(linked);
        if (kind != null) {
            if (kind == LayerTree.Kind.DIRECTORY || kind == LayerTree.Kind.WHITEOUT
                    || tree.firstNonDirectoryAncestor(linked) != null) {
                throw refuse(entry, "is a hard link to \"" + TarEntry.display(linked) + "\", which is a "
                        + kind.name().toLowerCase() + " in this layer; only files can be linked");
            }
            clear(path);
            FileCalls.link(at(linked), at(path));
            tree.put(path, kind);
            return;
        }
        byte[] lower = lowers.regularFile(linked).orElseThrow(() -> refuse(entry, "is a hard link to \""
                + TarEntry.display(linked) + "\", which is neither in this layer nor a regular file of the layers"
                + " below (reached without following symlinks)"));
        clear(path);
        Fcntl.FileStat stat = FileCalls.lstat(lower).orElseThrow(() -> new ImageException(layer
                + ": the lower layer's file " + FileCalls.show(lower) + " disappeared while it was being copied"));
        FileCopies.copyFile(lower, at(path), stat, buffer);
        copiedFromLowerLayers = true;
        tree.put(path, LayerTree.Kind.FILE);
    }

    private void special(TarEntry entry, String path) {
        makeParents(entry, path);
        clear(path);
        int type = switch (entry.type()) {
            case CHAR_DEVICE -> Fcntl.S_IFCHR;
            case BLOCK_DEVICE -> Fcntl.S_IFBLK;
            default -> Fcntl.S_IFIFO;
        };
        byte[] target = at(path);
        try {
            FileCalls.mknod(target, type, entry.devMajor(), entry.devMinor());
        } catch (LinuxException e) {
            if (e.errno() == Errno.EPERM && type != Fcntl.S_IFIFO) {
                // A host without CAP_MKNOD (a container itself): the image works without its device nodes,
                // and containers get their /dev from the runtime anyway.
                notes.add("skipped the device \"" + entry.displayName() + "\": " + e.getMessage());
                return;
            }
            throw e;
        }
        FileCalls.lchown(target, entry.uid(), entry.gid());
        FileCalls.chmod(target, entry.mode()); // a node made just now, not a symlink
        FileCalls.setTimes(target, entry.mtimeSeconds(), entry.mtimeNanos());
        boolean whiteout = type == Fcntl.S_IFCHR && entry.devMajor() == 0 && entry.devMinor() == 0;
        tree.put(path, whiteout ? LayerTree.Kind.WHITEOUT : LayerTree.Kind.SPECIAL);
    }

    /**
     * {@code .wh.NAME} deletes NAME of the layers below: overlay's form is a character device 0/0
     * named NAME. {@code .wh..wh..opq} hides everything the layers below have in its directory: overlay's
     * form is the xattr trusted.overlay.opaque=y on the directory. Both only ever act on lower layers.
     */
    private void whiteout(TarEntry entry, String path, String base) {
        String dir = LayerPaths.parent(path);
        if (base.equals(OPAQUE_MARKER)) {
            if (!dir.isEmpty()) {
                makeParents(entry, path);
            }
            markOpaque(dir);
            return;
        }
        if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) {
            notes.add("ignored the aufs metadata entry \"" + entry.displayName() + "\"");
            return;
        }
        String name = base.substring(WHITEOUT_PREFIX.length());
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw refuse(entry, "is a whiteout of \"" + name + "\", which names no file");
        }
        String deleted = LayerPaths.child(dir, name);
        makeParents(entry, deleted);
        if (tree.get(deleted) != null) {
            return; // this layer's own entry of that name already hides the lower ones
        }
        byte[] target = at(deleted);
        FileCalls.mknod(target, Fcntl.S_IFCHR, 0, 0);
        FileCalls.chmod(target, 0);
        tree.put(deleted, LayerTree.Kind.WHITEOUT);
    }

    private void markOpaque(String dir) {
        FileCalls.setXattr(at(dir), LowerLayers.OPAQUE, YES);
    }

    /**
     * Makes sure every directory above {@code path} is a real directory of this layer, making missing
     * ones (0755, as Docker does); refuses a symlink or a file in the way.
     */
    private void makeParents(TarEntry entry, String path) {
        int slash = path.indexOf('/');
        while (slash >= 0) {
            String ancestor = path.substring(0, slash);
            LayerTree.Kind kind = tree.get(ancestor);
            if (kind == null || kind == LayerTree.Kind.WHITEOUT) {
                if (kind == LayerTree.Kind.WHITEOUT) {
                    FileCalls.unlink(at(ancestor));
                }
                FileCalls.mkdir(at(ancestor), 0755);
                FileCalls.chmod(at(ancestor), 0755); // mkdir's mode passed through the umask
                tree.put(ancestor, LayerTree.Kind.DIRECTORY);
                if (kind == LayerTree.Kind.WHITEOUT) {
                    markOpaque(ancestor);
                }
            } else if (kind == LayerTree.Kind.SYMLINK) {
                throw refuse(entry, "would be written through the symlink \"" + TarEntry.display(ancestor)
                        + "\" of this layer, which could point anywhere on the host");
            } else if (kind != LayerTree.Kind.DIRECTORY) {
                throw refuse(entry, "needs \"" + TarEntry.display(ancestor) + "\" to be a directory, but this layer made it a "
                        + kind.name().toLowerCase());
            }
            slash = path.indexOf('/', slash + 1);
        }
    }

    /** Removes what this layer has at {@code path}, as a later entry of the same name replaces it. */
    private void clear(String path) {
        LayerTree.Kind kind = tree.get(path);
        if (kind == null) {
            return;
        }
        if (kind == LayerTree.Kind.DIRECTORY) {
            Trees.remove(at(path));
        } else {
            FileCalls.unlink(at(path));
        }
        tree.remove(path);
        directoryTimes.keySet().removeIf(p -> p.equals(path) || p.startsWith(path + "/"));
    }

    /**
     * PAX {@code SCHILY.xattr.*} attributes (file capabilities, ACLs, user.*). trusted.* ones are left
     * out: trusted.overlay.* would let a layer steer overlayfs itself (redirects, metacopy, opacity),
     * and so would user.overlay.* on an overlay mounted with userxattr.
     */
    private void setXattrs(TarEntry entry, byte[] target) {
        entry.xattrs().forEach((name, value) -> {
            if (name.startsWith("trusted.") || name.startsWith("user.overlay.") || name.indexOf('\0') >= 0) {
                notes.add("left out the extended attribute " + name + " of \"" + entry.displayName() + "\"");
                return;
            }
            try {
                FileCalls.setXattr(target, name.getBytes(StandardCharsets.ISO_8859_1), value.getBytes(StandardCharsets.ISO_8859_1));
            } catch (LinuxException e) {
                if (e.errno() != Errno.EOPNOTSUPP && e.errno() != Errno.EPERM) {
                    throw e;
                }
                notes.add("left out the extended attribute " + name + " of \"" + entry.displayName() + "\": " + e.getMessage());
            }
        });
    }

    private String safeName(TarEntry entry, String name, String what) {
        try {
            return LayerPaths.normalize(name);
        } catch (LayerPaths.BadName e) {
            throw refuse(entry, (what.isEmpty() ? "" : "has the " + what + "\"" + TarEntry.display(name) + "\", which ")
                    + e.getMessage());
        }
    }

    private static boolean isId(long id) {
        return id >= 0 && id < 0xffffffffL;
    }

    private static String kind(TarEntry entry) {
        return entry.type().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    private byte[] at(String path) {
        return LayerPaths.under(root, path);
    }

    private ImageException refuse(TarEntry entry, String why) {
        return new ImageException(layer + " is refused: its entry \"" + entry.displayName() + "\" " + why
                + "; nothing of the layer was kept");
    }
}
