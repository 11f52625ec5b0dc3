package dev.containerized.container;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts one stream's chunks into lines. It cuts at the byte {@code \n}, which never occurs inside a UTF-8
 * sequence, so a character split across two chunks is decoded whole. A line longer than
 * {@link #LONGEST} bytes is cut there too, at a character boundary, so a stream without line ends
 * cannot grow a line without bound.
 */
final class LineSplitter {
    static final int LONGEST = 16 * 1024;

    private final OutputLine.Source source;
    private byte[] pending = new byte[256];
    private int length;

    LineSplitter(OutputLine.Source source) {
        this.source = source;
    }

    void accept(byte[] bytes, int count, Consumer<OutputLine> lines) {
        int start = 0;
        for (int i = 0; i < count; i++) {
            if (bytes[i] == '\n') {
                append(bytes, start, i - start, lines);
                emit(length, lines);
                start = i + 1;
            }
        }
        append(bytes, start, count - start, lines);
    }

    /** The last line, when the stream ended without a line end. */
    void finish(Consumer<OutputLine> lines) {
        if (length > 0) {
            emit(length, lines);
        }
    }

    private void append(byte[] bytes, int offset, int count, Consumer<OutputLine> lines) {
        while (count > 0) {
            int room = LONGEST - length;
            int n = Math.min(room, count);
            if (length + n > pending.length) {
                pending = Arrays.copyOf(pending, Math.min(LONGEST, Math.max(pending.length * 2, length + n)));
            }
            System.arraycopy(bytes, offset, pending, length, n);
            length += n;
            offset += n;
            count -= n;
            if (length == LONGEST) {
                emit(characterBoundary(), lines);
            }
        }
    }

    /** Where a full buffer can be cut: before a UTF-8 sequence that might be incomplete. */
    private int characterBoundary() {
        int cut = length;
        for (int back = 1; back <= 4 && length - back >= 0; back++) {
            if ((pending[length - back] & 0xC0) != 0x80) { // a lead byte or ASCII
                cut = (pending[length - back] & 0x80) == 0 ? length : length - back;
                break;
            }
        }
        return cut == 0 ? length : cut;
    }

    /** Emits the first {@code end} pending bytes as a line and keeps the rest. */
    private void emit(int end, Consumer<OutputLine> lines) {
        int textEnd = end > 0 && pending[end - 1] == '\r' ? end - 1 : end;
        lines.accept(new OutputLine(source, new String(pending, 0, textEnd, StandardCharsets.UTF_8)));
        System.arraycopy(pending, end, pending, 0, length - end);
        length -= end;
        if (pending.length > 4096 && length < 256) {
            pending = Arrays.copyOf(pending, 256);
        }
    }
}
