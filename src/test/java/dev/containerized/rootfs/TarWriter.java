package dev.containerized.rootfs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Writes tar archives byte by byte for tests: ustar headers, GNU long names, PAX records, and entries
 * no honest tool would write ('..' names, links out of the archive), so that each case is exact.
 * Names are Java strings written as UTF-8.
 */
final class TarWriter {
    static final long MTIME = 1_700_000_000L;

    enum LongNames { GNU, PAX }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private LongNames longNames = LongNames.PAX;

    TarWriter longNames(LongNames style) {
        this.longNames = style;
        return this;
    }

    TarWriter file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644, 0, 0, MTIME);
    }

    TarWriter file(String name, byte[] content, int mode, long uid, long gid, long mtime) {
        header(name, '0', content.length, mode, uid, gid, mtime, "", 0, 0);
        data(content);
        return this;
    }

    TarWriter dir(String name) {
        return dir(name, 0755, 0, 0, MTIME);
    }

    TarWriter dir(String name, int mode, long uid, long gid, long mtime) {
        header(name, '5', 0, mode, uid, gid, mtime, "", 0, 0);
        return this;
    }

    TarWriter symlink(String name, String target) {
        return symlink(name, target, 0, 0, MTIME);
    }

    TarWriter symlink(String name, String target, long uid, long gid, long mtime) {
        header(name, '2', 0, 0777, uid, gid, mtime, target, 0, 0);
        return this;
    }

    TarWriter hardLink(String name, String target) {
        header(name, '1', 0, 0644, 0, 0, MTIME, target, 0, 0);
        return this;
    }

    TarWriter charDevice(String name, int major, int minor, int mode) {
        header(name, '3', 0, mode, 0, 0, MTIME, "", major, minor);
        return this;
    }

    TarWriter blockDevice(String name, int major, int minor, int mode) {
        header(name, '4', 0, mode, 0, 0, MTIME, "", major, minor);
        return this;
    }

    TarWriter fifo(String name, int mode) {
        header(name, '6', 0, mode, 0, 0, MTIME, "", 0, 0);
        return this;
    }

    /** A PAX extended header ('x') for the next entry. */
    TarWriter pax(Map<String, String> records) {
        byte[] data = paxData(records);
        header("PaxHeader", 'x', data.length, 0644, 0, 0, MTIME, "", 0, 0);
        data(data);
        return this;
    }

    /** A PAX global header ('g') for every entry after it. */
    TarWriter globalPax(Map<String, String> records) {
        byte[] data = paxData(records);
        header("GlobalHead", 'g', data.length, 0644, 0, 0, MTIME, "", 0, 0);
        data(data);
        return this;
    }

    /** A header with any type flag and size, followed by {@code data}: for entries tests must see refused. */
    TarWriter raw(char type, String name, byte[] data) {
        header(name, type, data.length, 0644, 0, 0, MTIME, "", 0, 0);
        data(data);
        return this;
    }

    /** The archive with its two zero blocks of end. */
    byte[] bytes() {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        copy.writeBytes(out.toByteArray());
        copy.writeBytes(new byte[1024]);
        return copy.toByteArray();
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(compressed)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return compressed.toByteArray();
    }

    private void header(String name, char type, long size, int mode, long uid, long gid, long mtime, String link,
                        int major, int minor) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] linkBytes = link.getBytes(StandardCharsets.UTF_8);
        boolean longName = nameBytes.length > 100;
        boolean longLink = linkBytes.length > 100;
        if ((longName || longLink) && type != 'L' && type != 'K' && type != 'x' && type != 'g') {
            if (longNames == LongNames.GNU) {
                if (longName) {
                    longEntry('L', nameBytes);
                }
                if (longLink) {
                    longEntry('K', linkBytes);
                }
            } else {
                Map<String, String> records = new LinkedHashMap<>();
                if (longName) {
                    records.put("path", name);
                }
                if (longLink) {
                    records.put("linkpath", link);
                }
                pax(records);
            }
        }
        byte[] h = new byte[512];
        put(h, 0, 100, nameBytes);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, uid);
        octal(h, 116, 8, gid);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime);
        h[156] = (byte) type;
        put(h, 157, 100, linkBytes);
        put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
        put(h, 265, 32, "root".getBytes(StandardCharsets.US_ASCII));
        put(h, 297, 32, "root".getBytes(StandardCharsets.US_ASCII));
        octal(h, 329, 8, major);
        octal(h, 337, 8, minor);
        checksum(h);
        out.writeBytes(h);
    }

    private void longEntry(char type, byte[] value) {
        byte[] data = new byte[value.length + 1];
        System.arraycopy(value, 0, data, 0, value.length);
        header("././@LongLink", type, data.length, 0644, 0, 0, 0, "", 0, 0);
        data(data);
    }

    private void data(byte[] data) {
        out.writeBytes(data);
        out.writeBytes(new byte[(512 - data.length % 512) % 512]);
    }

    /** Recomputes the checksum of the header at the start of {@code h}, after a test changed a field. */
    static void checksum(byte[] h) {
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += h[i] & 0xff;
        }
        byte[] digits = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(digits, 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
    }

    private static byte[] paxData(Map<String, String> records) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        records.forEach((key, value) -> {
            byte[] body = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8);
            int length = body.length + 1;
            while (String.valueOf(length).length() + body.length != length) {
                length = String.valueOf(length).length() + body.length;
            }
            data.writeBytes((length + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        });
        return data.toByteArray();
    }

    private static void put(byte[] h, int offset, int length, byte[] value) {
        System.arraycopy(value, 0, h, offset, Math.min(length, value.length));
    }

    private static void octal(byte[] h, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, length - 1 - digits.length())) + digits;
        put(h, offset, length - 1, padded.getBytes(StandardCharsets.US_ASCII));
    }
}
