package dev.containerized.rootfs;

import java.nio.charset.StandardCharsets;

/**
 * Entry names of a layer made safe to join to the layer's directory: relative, without '.', '..' or
 * empty components. Names are byte strings (one char per byte, see {@link TarEntry}).
 */
final class LayerPaths {
    private LayerPaths() {
    }

    /** Why a name cannot be used; the unpacker adds the layer and the entry. */
    static final class BadName extends Exception {
        BadName(String why) {
            super(why, null, false, false);
        }
    }

    /**
     * {@code "a/b/c"}, or {@code ""} for the layer's root. A leading '/' is dropped, as Docker and
     * containerd do (a layer's names are relative to its root whatever they look like); a '..' is
     * refused rather than resolved, since no honest layer needs one.
     */
    static String normalize(String name) throws BadName {
        if (name.indexOf('\0') >= 0) {
            // C would end the name at the NUL and act on another path than the one checked here.
            throw new BadName("has a NUL byte in its name");
        }
        StringBuilder out = new StringBuilder(name.length());
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new BadName("has a '..' component, which would climb out of the layer");
            }
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(part);
        }
        return out.toString();
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static String child(String parent, String name) {
        return parent.isEmpty() ? name : parent + "/" + name;
    }

    /** The path below {@code root} as bytes for a system call. */
    static byte[] under(byte[] root, String path) {
        if (path.isEmpty()) {
            return root;
        }
        byte[] relative = path.getBytes(StandardCharsets.ISO_8859_1);
        byte[] joined = new byte[root.length + 1 + relative.length];
        System.arraycopy(root, 0, joined, 0, root.length);
        joined[root.length] = '/';
        System.arraycopy(relative, 0, joined, root.length + 1, relative.length);
        return joined;
    }
}
