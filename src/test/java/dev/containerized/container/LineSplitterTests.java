package dev.containerized.container;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Cutting a stream's chunks into lines: pure logic, no container. */
class LineSplitterTests {
    private final List<String> lines = new ArrayList<>();
    private LineSplitter splitter = new LineSplitter(OutputLine.Source.STDOUT, StandardCharsets.UTF_8);

    private void feed(byte[] bytes) {
        splitter.accept(bytes, bytes.length, line -> lines.add(line.text()));
    }

    private void feed(String text) {
        feed(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void linesAcrossChunksAndSeveralInOneChunk() {
        feed("first li");
        feed("ne\nsecond\nthi");
        assertThat(lines).containsExactly("first line", "second");
        feed("rd\n\n");
        assertThat(lines).containsExactly("first line", "second", "third", "");
    }

    @Test
    void aCharacterSplitBetweenChunksIsDecodedWhole() {
        byte[] bytes = "grüße → 日本\n".getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) { // the worst case: one byte per chunk
            feed(new byte[] {b});
        }
        assertThat(lines).containsExactly("grüße → 日本");
    }

    @Test
    void crLfEndingsLoseTheirCarriageReturn() {
        feed("HTTP/1.1 200 OK\r\nServer: x\r\n");
        assertThat(lines).containsExactly("HTTP/1.1 200 OK", "Server: x");
    }

    @Test
    void theLastLineWithoutAnEndCountsWhenTheStreamEnds() {
        feed("done\nno end");
        splitter.finish(line -> lines.add(line.text()));
        assertThat(lines).containsExactly("done", "no end");
        splitter.finish(line -> lines.add(line.text()));
        assertThat(lines).as("nothing left to finish").hasSize(2);
    }

    @Test
    void anEndlessLineIsCutAtACharacterBoundary() {
        // 3-byte characters: a cut by bytes would split one; 4-byte ones are surrogate pairs in a String.
        String euro = "€".repeat(LineSplitter.LONGEST); // 3 * LONGEST bytes, no line end
        feed(euro);
        feed("\n");
        assertThat(lines).hasSize(1).containsExactly(euro);
        lines.clear();
        String pairs = "x" + "😀".repeat(LineSplitter.LONGEST); // the cut falls inside a pair
        feed(pairs);
        feed("\n");
        assertThat(lines).hasSizeGreaterThanOrEqualTo(3);
        assertThat(String.join("", lines)).isEqualTo(pairs);
        assertThat(lines).allSatisfy(line -> {
            assertThat(line.length()).isLessThanOrEqualTo(LineSplitter.LONGEST);
            assertThat(Character.isHighSurrogate(line.charAt(line.length() - 1))).as("ends inside a pair").isFalse();
        });
    }

    /** A line of exactly the longest length ends with its \r\n, not with a piece and then an empty line. */
    @Test
    void aLineOfTheLongestLengthEndsAtItsCrLf() {
        String longest = "x".repeat(LineSplitter.LONGEST);
        feed(longest + "\r\nnext\r\n" + longest + "\ry\n");
        assertThat(lines).containsExactly(longest, "next", longest, "\ry");
    }

    @Test
    void bytesThatAreNotTextBecomeReplacementCharactersOnePerBadSequence() {
        feed(new byte[] {'a', (byte) 0xff, 'b', (byte) 0xe2, (byte) 0x82}); // 0xe2 0x82: a cut-off "€"
        feed(new byte[] {'\n'});
        feed(new byte[] {(byte) 0xe2, (byte) 0x82});
        splitter.finish(line -> lines.add(line.text()));
        assertThat(lines).containsExactly("a\uFFFDb\uFFFD", "\uFFFD");
    }

    @Test
    void aSingleByteCharsetKeepsEveryByte() {
        splitter = new LineSplitter(OutputLine.Source.STDOUT, StandardCharsets.ISO_8859_1);
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        feed(all);
        splitter.finish(line -> lines.add(line.text()));
        String joined = String.join("\n", lines);
        assertThat(joined.getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(all);
    }

    @Test
    void utf16IsCutAtItsLineEndsNotAtEveryByte0x0A() {
        splitter = new LineSplitter(OutputLine.Source.STDOUT, StandardCharsets.UTF_16LE);
        // "ਊ" is U+0A0A: both its bytes are 0x0A, which a cut by bytes would take for two line ends.
        byte[] bytes = "ਊ one\r\ntwo\n".getBytes(StandardCharsets.UTF_16LE);
        for (byte b : bytes) {
            feed(new byte[] {b});
        }
        assertThat(lines).containsExactly("ਊ one", "two");
    }
}
