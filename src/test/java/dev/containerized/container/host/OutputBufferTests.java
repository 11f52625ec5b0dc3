package dev.containerized.container.host;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The head, the tail and the count of dropped bytes, checked against the plain answer (the whole stream
 * kept, then cut) at the buffer's boundaries: the head's end, the tail's first allocation and its
 * doublings, the limit, chunks larger than all of it.
 */
class OutputBufferTests {
    /** What a buffer of {@code limit} must say after {@code stream}: the first half, the last half, a marker between. */
    private static String expected(byte[] stream, long limit) {
        int headLimit = (int) (limit / 2);
        int tailLimit = (int) (limit - headLimit);
        int head = Math.min(stream.length, headLimit);
        int tail = Math.min(stream.length - head, tailLimit);
        long dropped = stream.length - head - tail;
        String text = new String(stream, 0, head, StandardCharsets.US_ASCII);
        if (dropped > 0) {
            text += "\n[containerized: " + dropped + " bytes of output dropped here]\n";
        }
        return text + new String(stream, stream.length - tail, tail, StandardCharsets.US_ASCII);
    }

    private static long expectedDropped(int total, long limit) {
        return Math.max(0, total - limit);
    }

    /** Printable bytes that differ along the stream, so that a byte in the wrong place shows. */
    private static byte[] stream(int length, long seed) {
        Random random = new Random(seed);
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) ('!' + random.nextInt(90));
        }
        return bytes;
    }

    /** Feeds {@code stream} in chunks of the given sizes, cycling; a chunk array is reused as ContainerIo does. */
    private static OutputBuffer feed(byte[] stream, long limit, int... chunkSizes) {
        OutputBuffer buffer = new OutputBuffer(limit);
        byte[] chunk = new byte[Math.max(1, java.util.Arrays.stream(chunkSizes).max().orElse(1))];
        int at = 0;
        for (int i = 0; at < stream.length; i++) {
            int n = Math.min(chunkSizes[i % chunkSizes.length], stream.length - at);
            System.arraycopy(stream, at, chunk, 0, n);
            java.util.Arrays.fill(chunk, n, chunk.length, (byte) '#');
            buffer.append(chunk, n);
            at += n;
        }
        return buffer;
    }

    private static void check(int total, long limit, int... chunkSizes) {
        byte[] stream = stream(total, total * 31L + limit);
        OutputBuffer buffer = feed(stream, limit, chunkSizes);
        assertThat(buffer.dropped()).as("dropped of %d bytes, limit %d, chunks %s", total, limit, List.of(chunkSizes))
                .isEqualTo(expectedDropped(total, limit));
        assertThat(buffer.text()).as("text of %d bytes, limit %d, chunks %s", total, limit, List.of(chunkSizes))
                .isEqualTo(expected(stream, limit));
    }

    @Test
    void belowTheLimitEverythingIsKeptAndNothingIsMarked() {
        check(0, 1024, 1);
        check(1, 1024, 1);
        check(1024, 1024, 100);
        assertThat(new OutputBuffer(1024).text()).isEmpty();
    }

    @Test
    void aroundTheEndOfTheHeadAndOfTheLimit() {
        long limit = 1000;
        for (int total : new int[] {499, 500, 501, 999, 1000, 1001, 1002, 1500, 2000, 2001}) {
            check(total, limit, 1);
            check(total, limit, 7);
            check(total, limit, 500);
            check(total, limit, 501);
            check(total, limit, total == 0 ? 1 : total);
        }
    }

    @Test
    void theTailGrowsFromItsFirstAllocationWithoutLosingItsOrder() {
        long limit = 1 << 20; // a tail of 512 KiB: allocated at 64 KiB, doubled three times
        int headLimit = (int) (limit / 2);
        for (int tail : new int[] {65535, 65536, 65537, 131072, 131073, 262145, 524287, 524288, 524289}) {
            check(headLimit + tail, limit, 4096);
            check(headLimit + tail, limit, 65536, 1, 4095);
        }
    }

    @Test
    void aFullTailWrapsAroundAndCountsWhatItDrops() {
        long limit = 8192;
        check(100_000, limit, 4096);
        check(100_000, limit, 4095, 4097, 1, 8191);
        check(100_000, limit, 3);
        check(8192 * 5 + 17, limit, 4096, 2048, 1);
    }

    @Test
    void oneChunkLargerThanTheWholeLimit() {
        check(50_000, 1000, 50_000);
        check(50_000, 1000, 10, 20_000);
        check(50_000, 1000, 499, 501, 30_000);
        check(50_000, 1000, 500, 500, 500);
    }

    @Test
    void theSmallestLimitKeepsOneByteEachSide() {
        check(10, 2, 1);
        check(10, 2, 10);
        check(2, 2, 2);
        check(3, 2, 3);
    }

    @Test
    void manyRandomStreamsAgreeWithThePlainAnswer() {
        Random random = new Random(12);
        for (int i = 0; i < 300; i++) {
            long limit = 2 + random.nextInt(5000);
            int total = random.nextInt(20_000);
            int[] chunks = random.ints(1 + random.nextInt(4), 1, 1 + random.nextInt(6000)).toArray();
            check(total, limit, chunks);
        }
    }

    /** "é" is 2 bytes, "€" 3, "🙂" 4: a cut through one leaves it out; no cut keeps every one whole. */
    @Test
    void aCharacterThatTheCutGoesThroughIsLeftOutAndOneThatSpansHeadAndTailIsKept() {
        for (String text : new String[] {"é", "€", "🙂"}) {
            byte[] bytes = text.repeat(40).getBytes(StandardCharsets.UTF_8);
            for (long limit = 7; limit <= bytes.length; limit++) {
                OutputBuffer buffer = new OutputBuffer(limit);
                buffer.append(bytes, bytes.length);
                String shown = buffer.text();
                assertThat(shown).as(text + ", limit " + limit).doesNotContain("\uFFFD");
                if (limit == bytes.length) {
                    assertThat(shown).as("nothing dropped: whole, though head and tail split a character").isEqualTo(text.repeat(40));
                }
            }
        }
    }

    @Test
    void aFloodOfFourHundredMegabytesKeepsItsBoundAndItsEnds() {
        long limit = 4L << 20;
        OutputBuffer buffer = new OutputBuffer(limit);
        byte[] chunk = new byte[65536];
        ByteArrayOutputStream ends = new ByteArrayOutputStream();
        long total = 400L * 1000 * 1000;
        long written = 0;
        for (int i = 0; written < total; i++) {
            java.util.Arrays.fill(chunk, (byte) ('a' + i % 26));
            int n = (int) Math.min(chunk.length, total - written);
            buffer.append(chunk, n);
            written += n;
        }
        ends.writeBytes(buffer.text().getBytes(StandardCharsets.US_ASCII));
        assertThat(buffer.dropped()).isEqualTo(total - limit);
        String text = ends.toString(StandardCharsets.US_ASCII);
        assertThat(text).startsWith("aaaa").endsWith(String.valueOf((char) ('a' + (int) ((total - 1) / 65536) % 26)).repeat(10))
                .contains("[containerized: " + (total - limit) + " bytes of output dropped here]");
    }

    /**
     * With an odd limit the tail of UTF-16 output started inside a 2-byte unit, and every character
     * after the cut came out one byte off ("a" as U+6100). In every byte order and with every limit,
     * both ends read right.
     */
    @Test
    void aCutInUtf16OrUtf32KeepsTheUnitsWhole() {
        for (String name : List.of("UTF-16BE", "UTF-16LE", "UTF-16", "UTF-32BE", "UTF-32LE")) {
            java.nio.charset.Charset charset = java.nio.charset.Charset.forName(name);
            byte[] bytes = "abcdefgh".repeat(200).getBytes(charset);
            if (name.equals("UTF-16")) { // Java writes big-endian with a mark: write a little-endian stream as a program might
                bytes = ("\uFEFF" + "abcdefgh".repeat(200)).getBytes(StandardCharsets.UTF_16LE);
            }
            for (long limit = 1000; limit < 1010; limit++) {
                OutputBuffer buffer = new OutputBuffer(limit, charset);
                buffer.append(bytes, bytes.length);
                String shown = buffer.text();
                String[] ends = shown.split("\n\\[containerized: \\d+ bytes of output dropped here\\]\n");
                assertThat(ends).as(name + ", limit " + limit).hasSize(2);
                assertThat(ends[0].replace("\uFEFF", "")).as(name + " head, limit " + limit).matches("(abcdefgh)*[a-h]*");
                assertThat(ends[1]).as(name + " tail, limit " + limit).matches("[a-h]*(abcdefgh)*").endsWith("h");
            }
        }
        // Characters beyond the BMP are two units: a cut through one leaves it out, as in UTF-8, not U+FFFD.
        for (String name : List.of("UTF-16BE", "UTF-16LE")) {
            byte[] bytes = "\uD83D\uDE00".repeat(600).getBytes(java.nio.charset.Charset.forName(name));
            for (long limit = 1000; limit < 1010; limit++) {
                OutputBuffer buffer = new OutputBuffer(limit, java.nio.charset.Charset.forName(name));
                buffer.append(bytes, bytes.length);
                assertThat(buffer.text()).as(name + ", limit " + limit).doesNotContain("\uFFFD");
            }
        }
    }
}
