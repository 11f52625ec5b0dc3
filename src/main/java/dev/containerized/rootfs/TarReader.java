package dev.containerized.rootfs;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a tar stream entry by entry: ustar, GNU long names and link names ('L', 'K'), PAX extended
 * and global headers ('x', 'g': path, linkpath, size, uid, gid, mtime, SCHILY.xattr.*), and base-256
 * numbers. Sparse files and multi-volume archives are refused, not half-read.
 * <p>
 * Where formats leave room for readings, this follows Go's archive/tar, which wrote and reads most
 * image layers: links, devices, directories and fifos carry no data whatever their size field says,
 * so that no member parses differently here than in the tools that made the layer.
 */
final class TarReader {
    private static final int BLOCK = 512;
    /** Long names and PAX headers larger than this are not real: refuse rather than buffer them. */
    private static final int MAX_EXTENSION_SIZE = 1 << 20;
    private static final String SPARSE_FIX = "sparse files are not supported; repack the layer without --sparse";

    private final InputStream in;
    private final String archive;
    private final Map<String, String> globalPax = new HashMap<>();
    private final byte[] header = new byte[BLOCK];
    private long position;
    private long remaining;
    private long padding;
    private String current = "the archive's start";

    /** {@code archive} names the stream in errors ("layer sha256:…", "/x/app.tar"). */
    TarReader(InputStream in, String archive) {
        this.in = in;
        this.archive = archive;
    }

    /** Bytes consumed so far; after {@link #next()}, where the entry's data starts. */
    long position() {
        return position;
    }

    /** The next entry, or null at the end of the archive; skips what was left of the previous entry's data. */
    TarEntry next() throws IOException {
        skip(remaining + padding);
        remaining = 0;
        padding = 0;
        String longName = null;
        String longLink = null;
        Map<String, String> pax = new HashMap<>();
        while (true) {
            if (!readHeader()) {
                if (longName != null || longLink != null || !pax.isEmpty()) {
                    throw error("ends after an extension header, without the entry it describes");
                }
                return null;
            }
            if (isZero(header)) {
                return null;
            }
            checkChecksum();
            char type = (char) (header[156] & 0xff);
            long size = number(124, 12, "size");
            switch (type) {
                case 'x' -> pax.putAll(parsePax(readExtension(size, "PAX header")));
                case 'g' -> globalPax.putAll(parsePax(readExtension(size, "PAX global header")));
                case 'L' -> longName = cString(readExtension(size, "GNU long name"));
                case 'K' -> longLink = cString(readExtension(size, "GNU long link name"));
                default -> {
                    return entry(type, size, longName, longLink, pax);
                }
            }
        }
    }

    /** Reads the current entry's data; -1 at its end. */
    int read(byte[] buffer, int offset, int length) throws IOException {
        if (remaining == 0) {
            return -1;
        }
        int n = in.read(buffer, offset, (int) Math.min(length, remaining));
        if (n < 0) {
            throw error("is truncated inside the data of " + current);
        }
        remaining -= n;
        position += n;
        return n;
    }

    /** Reads to the end of the underlying stream (after the end-of-archive blocks), so that its digest covers every byte. */
    void drain() throws IOException {
        byte[] buffer = new byte[64 * 1024];
        while (in.read(buffer) >= 0) {
            // Only the digest wants these bytes.
        }
    }

    private TarEntry entry(char typeFlag, long headerSize, String longName, String longLink, Map<String, String> pax)
            throws IOException {
        Map<String, String> values = new HashMap<>(globalPax);
        values.putAll(pax);
        values.values().removeIf(String::isEmpty); // an empty PAX value cancels a global one
        String name = firstOf(values.get("path"), longName, headerName());
        current = "the entry \"" + TarEntry.display(name) + "\"";
        if (values.keySet().stream().anyMatch(k -> k.startsWith("GNU.sparse."))) {
            throw error("has the sparse entry \"" + TarEntry.display(name) + "\": " + SPARSE_FIX);
        }
        TarEntry.Type type = type(typeFlag, name);
        long size = values.containsKey("size") ? paxLong(values.get("size"), "size") : headerSize;
        if (size < 0) {
            throw error("gives " + current + " the negative size " + size);
        }
        long[] mtime = values.containsKey("mtime") ? paxTime(values.get("mtime")) : new long[] {number(136, 12, "mtime"), 0};
        TarEntry entry = new TarEntry(name, type, size, (int) (number(100, 8, "mode") & 07777),
                values.containsKey("uid") ? paxLong(values.get("uid"), "uid") : number(108, 8, "uid"),
                values.containsKey("gid") ? paxLong(values.get("gid"), "gid") : number(116, 8, "gid"),
                mtime[0], (int) mtime[1],
                firstOf(values.get("linkpath"), longLink, field(157, 100)),
                (int) number(329, 8, "devmajor"), (int) number(337, 8, "devminor"), xattrs(values));
        remaining = type == TarEntry.Type.REGULAR || typeFlag == 'D' ? size : 0;
        padding = (BLOCK - remaining % BLOCK) % BLOCK;
        return entry;
    }

    private TarEntry.Type type(char flag, String name) throws TarException {
        return switch (flag) {
            // Before ustar, a directory was a regular entry whose name ends in '/'.
            case '0', '\0' -> name.endsWith("/") ? TarEntry.Type.DIRECTORY : TarEntry.Type.REGULAR;
            case '7' -> TarEntry.Type.REGULAR; // contiguous file: a regular file everywhere but on its old hardware
            case '1' -> TarEntry.Type.HARD_LINK;
            case '2' -> TarEntry.Type.SYMLINK;
            case '3' -> TarEntry.Type.CHAR_DEVICE;
            case '4' -> TarEntry.Type.BLOCK_DEVICE;
            case '5', 'D' -> TarEntry.Type.DIRECTORY; // 'D': a GNU dump directory, its listing skipped
            case '6' -> TarEntry.Type.FIFO;
            case 'S' -> throw error("has the sparse entry " + current + ": " + SPARSE_FIX);
            case 'M', 'V' -> throw error("is part of a multi-volume archive (" + current
                    + " has type '" + flag + "'); layers are single archives");
            default -> throw error("has " + current + " of the unknown type '" + printable(flag)
                    + "'; supported are files, directories, links, devices and fifos");
        };
    }

    /** ustar's prefix and name; GNU's old format has other data where ustar keeps the prefix. */
    private String headerName() {
        String name = field(0, 100);
        boolean posixUstar = field(257, 6).equals("ustar") && header[262] == 0;
        String prefix = posixUstar ? field(345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static Map<String, String> xattrs(Map<String, String> values) {
        Map<String, String> xattrs = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith("SCHILY.xattr.")) {
                xattrs.put(key.substring("SCHILY.xattr.".length()), value);
            }
        });
        return xattrs;
    }

    /** PAX records, "LENGTH key=value\n" each, LENGTH counting the whole record. */
    private Map<String, String> parsePax(byte[] data) throws TarException {
        Map<String, String> records = new HashMap<>();
        int pos = 0;
        while (pos < data.length) {
            int space = indexOf(data, (byte) ' ', pos);
            long length;
            try {
                length = space < 0 ? -1 : Long.parseLong(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                length = -1;
            }
            if (length <= space - pos + 1 || pos + length > data.length || data[(int) (pos + length - 1)] != '\n') {
                throw error("has a malformed PAX record at byte " + pos + " of the PAX header ending at byte " + position);
            }
            String record = new String(data, space + 1, (int) (pos + length - space - 2), StandardCharsets.ISO_8859_1);
            int equals = record.indexOf('=');
            if (equals <= 0) {
                throw error("has a PAX record without 'key=' at byte " + pos + " of the PAX header ending at byte " + position);
            }
            records.put(record.substring(0, equals), record.substring(equals + 1));
            pos += (int) length;
        }
        return records;
    }

    private long paxLong(String value, String key) throws TarException {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw error("has the PAX record " + key + "=\"" + value + "\" for " + current + ", which is not a number");
        }
    }

    /** A PAX time, "1700000000.123456789" or "-1.5": whole seconds (floor) and nanoseconds. */
    private long[] paxTime(String value) throws TarException {
        try {
            BigDecimal time = new BigDecimal(value);
            BigDecimal seconds = time.setScale(0, java.math.RoundingMode.FLOOR);
            long nanos = time.subtract(seconds).movePointRight(9).setScale(0, java.math.RoundingMode.DOWN).longValueExact();
            return new long[] {seconds.longValueExact(), nanos};
        } catch (NumberFormatException | ArithmeticException e) {
            throw error("has the PAX record mtime=\"" + value + "\" for " + current + ", which is not a time");
        }
    }

    /** A numeric header field: octal digits, or base-256 when the first byte's high bit is set (GNU, star). */
    private long number(int offset, int length, String what) throws TarException {
        if ((header[offset] & 0x80) != 0) {
            // Two's complement over the field with the marker bit cleared; a negative value is read inverted.
            int invert = (header[offset] & 0x40) != 0 ? 0xff : 0;
            long value = 0;
            for (int i = 0; i < length; i++) {
                int b = (header[offset + i] & 0xff) ^ invert;
                if (i == 0) {
                    b &= 0x7f;
                }
                if ((value >>> 55) != 0) {
                    throw error("has a base-256 " + what + " too large for 64 bits in the header at byte " + headerStart());
                }
                value = (value << 8) | b;
            }
            return invert != 0 ? ~value : value;
        }
        long value = 0;
        int i = offset;
        int end = offset + length;
        while (i < end && (header[i] == ' ' || header[i] == 0)) {
            i++;
        }
        for (; i < end && header[i] != ' ' && header[i] != 0; i++) {
            if (header[i] < '0' || header[i] > '7') {
                throw error("has a " + what + " field that is not octal (\"" + field(offset, length).strip()
                        + "\") in the header at byte " + headerStart());
            }
            value = value * 8 + (header[i] - '0');
        }
        return value;
    }

    private void checkChecksum() throws TarException {
        long stored;
        try {
            stored = number(148, 8, "checksum");
        } catch (TarException notOctal) {
            stored = -1;
        }
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            byte b = i >= 148 && i < 156 ? (byte) ' ' : header[i];
            unsigned += b & 0xff;
            signed += b;
        }
        if (stored != unsigned && stored != signed) {
            throw error("has a header with a wrong checksum at byte " + headerStart()
                    + " (not a tar archive, or a corrupt one)");
        }
    }

    private boolean readHeader() throws IOException {
        int n = in.readNBytes(header, 0, BLOCK);
        position += n;
        if (n == 0) {
            return false;
        }
        if (n < BLOCK) {
            throw error("is truncated inside a header at byte " + position);
        }
        return true;
    }

    private byte[] readExtension(long size, String what) throws IOException {
        if (size > MAX_EXTENSION_SIZE) {
            throw error("has a " + what + " of " + size + " bytes at byte " + headerStart() + "; more than "
                    + MAX_EXTENSION_SIZE + " is not a real one");
        }
        byte[] data = in.readNBytes((int) size);
        position += data.length;
        if (data.length < size) {
            throw error("is truncated inside a " + what);
        }
        skip((BLOCK - size % BLOCK) % BLOCK);
        return data;
    }

    private void skip(long count) throws IOException {
        long left = count;
        while (left > 0) {
            long n = in.skip(left);
            if (n <= 0) {
                if (in.read() < 0) {
                    throw error("is truncated inside the data of " + current);
                }
                n = 1;
            }
            left -= n;
            position += n;
        }
    }

    /** Where the header read last starts, for messages. */
    private long headerStart() {
        return position - BLOCK;
    }

    private String field(int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.ISO_8859_1);
    }

    private static String cString(byte[] data) {
        int end = indexOf(data, (byte) 0, 0);
        return new String(data, 0, end < 0 ? data.length : end, StandardCharsets.ISO_8859_1);
    }

    private static int indexOf(byte[] data, byte value, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String firstOf(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("no candidate");
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c);
    }

    private TarException error(String what) {
        return new TarException(archive + " " + what);
    }
}
