package dev.containerized.rootfs;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One member of a tar archive, its extension headers (GNU long names, PAX records) already applied.
 * <p>
 * Names hold the archive's bytes one {@code char} per byte (ISO-8859-1), so that any name, UTF-8 or
 * not, reaches the file system unchanged; {@link #displayName()} decodes them for messages.
 *
 * @param xattrs extended attributes from PAX {@code SCHILY.xattr.*} records, values as bytes in the same encoding
 */
record TarEntry(String name, Type type, long size, int mode, long uid, long gid, long mtimeSeconds, int mtimeNanos,
                String linkName, int devMajor, int devMinor, Map<String, String> xattrs) {

    enum Type { REGULAR, HARD_LINK, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, DIRECTORY, FIFO }

    String displayName() {
        return display(name);
    }

    static String display(String bytes) {
        return new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
