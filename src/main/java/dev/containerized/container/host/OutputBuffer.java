package dev.containerized.container.host;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A command's captured stream, bounded: the first half of the limit and the last half are kept, what
 * falls between is counted and dropped. A flood (a gigabyte on stdout) then costs the test JVM the
 * limit, not the flood; the head shows how the command started, the tail how it ended. Nothing big is
 * allocated until the output is big.
 */
final class OutputBuffer {
    /** The tail's first allocation; it doubles up to its limit as output arrives. */
    private static final int FIRST_TAIL = 64 * 1024;

    private final int headLimit;
    private final int tailLimit;
    private byte[] head = new byte[256];
    private int headLength;
    /** A ring: {@code tailLength} bytes from {@code tailStart}, wrapping at the array's end. */
    private byte[] tail;
    private int tailStart;
    private int tailLength;
    private long dropped;
    private final Charset charset;

    /** @param limit the most bytes kept (at least 2) */
    OutputBuffer(long limit) {
        this(limit, StandardCharsets.UTF_8);
    }

    /** @param charset how {@link #text} decodes the bytes */
    OutputBuffer(long limit, Charset charset) {
        this.charset = charset;
        long bounded = Math.max(2, Math.min(limit, Integer.MAX_VALUE - 16));
        this.headLimit = (int) (bounded / 2);
        this.tailLimit = (int) (bounded - headLimit);
    }

    synchronized void append(byte[] bytes, int length) {
        int offset = 0;
        if (headLength < headLimit) {
            int n = Math.min(length, headLimit - headLength);
            if (headLength + n > head.length) {
                head = Arrays.copyOf(head, (int) Math.min(headLimit, Math.max((long) head.length * 2, headLength + n)));
            }
            System.arraycopy(bytes, 0, head, headLength, n);
            headLength += n;
            offset = n;
        }
        if (offset < length) {
            appendToTail(bytes, offset, length - offset);
        }
    }

    /** Copies in at most two pieces; the oldest bytes make room once the tail is at its limit. */
    private void appendToTail(byte[] bytes, int offset, int length) {
        if (length >= tailLimit) {
            // Only this chunk's last bytes can stay: what the tail held and the chunk's start are dropped.
            int skipped = length - tailLimit;
            dropped += tailLength + (long) skipped;
            tailStart = 0;
            tailLength = 0;
            offset += skipped;
            length = tailLimit;
        }
        growTail(tailLength + length);
        int overflow = tailLength + length - tail.length;
        if (overflow > 0) {
            tailStart = (tailStart + overflow) % tail.length;
            tailLength -= overflow;
            dropped += overflow;
        }
        int end = (tailStart + tailLength) % tail.length;
        int first = Math.min(length, tail.length - end);
        System.arraycopy(bytes, offset, tail, end, first);
        System.arraycopy(bytes, offset + first, tail, 0, length - first);
        tailLength += length;
    }

    /** Makes room for {@code needed} bytes, up to the tail's limit, keeping what it holds in order. */
    private void growTail(int needed) {
        if (tail == null) {
            tail = new byte[Math.min(tailLimit, FIRST_TAIL)];
        }
        if (needed <= tail.length || tail.length == tailLimit) {
            return;
        }
        byte[] bigger = new byte[(int) Math.min(tailLimit, Math.max((long) tail.length * 2, needed))];
        copyTailInto(bigger);
        tail = bigger;
        tailStart = 0;
    }

    private void copyTailInto(byte[] target) {
        int first = Math.min(tailLength, tail.length - tailStart);
        System.arraycopy(tail, tailStart, target, 0, first);
        System.arraycopy(tail, 0, target, first, tailLength - first);
    }

    /** How many bytes were dropped between the head and the tail. */
    synchronized long dropped() {
        return dropped;
    }

    /**
     * The kept bytes, decoded (UTF-8 unless the command asked otherwise); where bytes were dropped, a line
     * between head and tail says how many. Nothing dropped, head and tail are one run of bytes and are
     * decoded as one (a character may span them). Something dropped, in UTF-8 a character the cut went
     * through is left out on each side, rather than shown as U+FFFD: at most 3 bytes each, not counted in
     * the marker, which says what the limit dropped. In UTF-16 and UTF-32 the same goes for a unit or a
     * surrogate pair the cut went through, and the tail is read in the byte order of the output's mark.
     */
    synchronized String text() {
        if (tail == null) {
            return new String(head, 0, headLength, charset);
        }
        byte[] end = new byte[tailLength];
        copyTailInto(end);
        if (dropped == 0) {
            byte[] all = Arrays.copyOf(head, headLength + tailLength);
            System.arraycopy(end, 0, all, headLength, tailLength);
            return new String(all, charset);
        }
        boolean utf8 = charset.equals(StandardCharsets.UTF_8);
        int unit = codeUnitBytes(charset);
        int headKept = utf8 ? completeCharacters(head, headLength) : headLength - headLength % unit;
        // In a charset of 2- or 4-byte units, the tail starts where a unit does, counted from the stream's start.
        int tailFrom = Math.min(end.length, (int) ((unit - (headLength + dropped) % unit) % unit));
        while (utf8 && tailFrom < end.length && tailFrom < 3 && isContinuation(end[tailFrom])) {
            tailFrom++;
        }
        if (unit == 2) { // nor does a cut leave half of a surrogate pair on either side
            boolean littleEndian = littleEndian();
            if (headKept >= 2 && isSurrogate(head, headKept - 2, littleEndian, 0xd800)) {
                headKept -= 2;
            }
            if (end.length - tailFrom >= 2 && isSurrogate(end, tailFrom, littleEndian, 0xdc00)) {
                tailFrom += 2;
            }
        }
        return new String(head, 0, headKept, charset)
                + "\n[containerized: " + dropped + " bytes of output dropped here]\n"
                + new String(end, tailFrom, end.length - tailFrom, tailCharset(unit));
    }

    /** 2 for UTF-16, 4 for UTF-32 (any byte order), 1 for the charsets whose characters start at any byte. */
    private static int codeUnitBytes(Charset charset) {
        String name = charset.name();
        return name.startsWith("UTF-16") || name.startsWith("x-UTF-16") ? 2 : name.startsWith("UTF-32") || name.startsWith("x-UTF-32") ? 4 : 1;
    }

    /**
     * How the tail is decoded: as the whole output, except that UTF-16 and UTF-32 take their byte order
     * from a byte order mark at the output's start, which the tail does not have.
     */
    private Charset tailCharset(int unit) {
        if (unit == 1 || !(charset.name().equals("UTF-16") || charset.name().equals("UTF-32"))) {
            return charset;
        }
        if (unit == 2) {
            return littleEndian() ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE;
        }
        return Charset.forName(littleEndian() ? "UTF-32LE" : "UTF-32BE");
    }

    /** Whether the output's units are little-endian: by the charset's name, or by the mark the output starts with. */
    private boolean littleEndian() {
        String name = charset.name();
        if (name.contains("LE")) {
            return true;
        }
        return !name.contains("BE") && headLength >= 2 && (head[0] & 0xff) == 0xff && (head[1] & 0xff) == 0xfe;
    }

    /** Whether the 2-byte unit at {@code at} is a surrogate of the kind {@code kind} (0xd800 high, 0xdc00 low). */
    private static boolean isSurrogate(byte[] bytes, int at, boolean littleEndian, int kind) {
        int value = littleEndian ? (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8 : (bytes[at] & 0xff) << 8 | (bytes[at + 1] & 0xff);
        return (value & 0xfc00) == kind;
    }

    /** The length of {@code bytes[0, length)} without a multi-byte character its end cuts through. */
    private static int completeCharacters(byte[] bytes, int length) {
        for (int back = 1; back <= Math.min(3, length); back++) {
            int b = bytes[length - back] & 0xff;
            if (b < 0x80) {
                return length; // ASCII: nothing is cut
            }
            if (b >= 0xc0) { // a lead byte: its character needs 2, 3 or 4 bytes
                int needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
                return back < needed ? length - back : length;
            }
        }
        return length;
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xc0) == 0x80;
    }
}
