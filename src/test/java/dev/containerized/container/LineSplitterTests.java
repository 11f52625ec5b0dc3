package dev.containerized.container;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Cutting a stream's chunks into lines: pure logic, no container. */
class LineSplitterTests {
    private final List<String> lines = new ArrayList<>();
    private final LineSplitter splitter = new LineSplitter(OutputLine.Source.STDOUT);

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
        // 3-byte characters do not divide the limit: a naive cut would split one.
        String euro = "€".repeat(LineSplitter.LONGEST); // 3 * LONGEST bytes, no line end
        feed(euro);
        feed("\n");
        assertThat(lines).hasSizeGreaterThanOrEqualTo(3);
        assertThat(String.join("", lines)).isEqualTo(euro);
        assertThat(lines).allSatisfy(line -> {
            assertThat(line).doesNotContain("\uFFFD");
            assertThat(line.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(LineSplitter.LONGEST);
        });
    }
}
