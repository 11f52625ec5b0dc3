package dev.containerized.container.host;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A command's captured stream, bounded: the first half of the limit and the last half are kept, what
 * falls between is counted and dropped. A flood (a gigabyte on stdout) then costs the test JVM the
 * limit, not the flood; the head shows how the command started, the tail how it ended. Nothing big is
 * allocated until the output is big.
 */
final class OutputBuffer {
    private final int headLimit;
    private final int tailLimit;
    private byte[] head = new byte[256];
    private int headLength;
    private byte[] tail;
    private int tailStart;
    private int tailLength;
    private long dropped;

    /** @param limit the most bytes kept (at least 2) */
    OutputBuffer(long limit) {
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
        for (int i = offset; i < length; i++) {
            appendToTail(bytes[i]);
        }
    }

    private void appendToTail(byte b) {
        if (tail == null) {
            tail = new byte[Math.min(tailLimit, 64 * 1024)];
        }
        if (tailLength < tail.length) {
            tail[(tailStart + tailLength) % tail.length] = b;
            tailLength++;
        } else if (tail.length < tailLimit) {
            byte[] bigger = new byte[(int) Math.min(tailLimit, (long) tail.length * 2)];
            for (int i = 0; i < tailLength; i++) {
                bigger[i] = tail[(tailStart + i) % tail.length];
            }
            tail = bigger;
            tailStart = 0;
            tail[tailLength++] = b;
        } else {
            tail[tailStart] = b;
            tailStart = (tailStart + 1) % tail.length;
            dropped++;
        }
    }

    /** How many bytes were dropped between the head and the tail. */
    synchronized long dropped() {
        return dropped;
    }

    /** The kept bytes as UTF-8; where bytes were dropped, a line between head and tail says how many. */
    synchronized String text() {
        String start = new String(head, 0, headLength, StandardCharsets.UTF_8);
        if (tail == null) {
            return start;
        }
        byte[] end = new byte[tailLength];
        for (int i = 0; i < tailLength; i++) {
            end[i] = tail[(tailStart + i) % tail.length];
        }
        String marker = dropped > 0 ? "\n[containerized: " + dropped + " bytes of output dropped here]\n" : "";
        return start + marker + new String(end, StandardCharsets.UTF_8);
    }
}
