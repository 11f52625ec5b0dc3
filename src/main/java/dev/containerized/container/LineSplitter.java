package dev.containerized.container;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.util.function.Consumer;

/**
 * Cuts one stream's chunks into lines of text in the command's output charset. The bytes go through
 * one decoder for the whole stream, which keeps a character split across two chunks until its end
 * comes, so it is decoded whole; the cut is made on the decoded text, at {@code \n}, so it is right in
 * any charset, UTF-16 included (where a byte {@code 0x0A} may be half of another character). A line
 * longer than {@link #LONGEST} characters is cut there too, never inside a surrogate pair (nor before
 * the {@code \n} of its {@code \r\n}), so a stream without line ends cannot grow a line without bound.
 */
final class LineSplitter {
    static final int LONGEST = 16 * 1024;

    private final OutputLine.Source source;
    private final CharsetDecoder decoder;
    /** Bytes of a character whose end has not come yet. */
    private ByteBuffer undecoded = ByteBuffer.allocate(16);
    private final CharBuffer decoded = CharBuffer.allocate(4096);
    private final StringBuilder pending = new StringBuilder();

    LineSplitter(OutputLine.Source source, Charset charset) {
        this.source = source;
        // As new String(bytes, charset) does: what is not text in that charset becomes U+FFFD.
        this.decoder = charset.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
    }

    void accept(byte[] bytes, int count, Consumer<OutputLine> lines) {
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, count);
        if (undecoded.position() > 0) {
            undecoded = grown(undecoded, count);
            undecoded.put(in);
            in = undecoded.flip();
        }
        decode(in, false, lines);
        keepUndecoded(in);
    }

    /** The last line, when the stream ended without a line end. */
    void finish(Consumer<OutputLine> lines) {
        ByteBuffer in = undecoded.flip();
        decode(in, true, lines);
        decoded.clear();
        decoder.flush(decoded);
        take(decoded.flip(), lines);
        decoder.reset();
        undecoded = ByteBuffer.allocate(16);
        if (!pending.isEmpty()) {
            emit(pending.length(), true, lines);
        }
    }

    private void decode(ByteBuffer in, boolean endOfInput, Consumer<OutputLine> lines) {
        while (true) {
            decoded.clear();
            boolean full = decoder.decode(in, decoded, endOfInput).isOverflow();
            take(decoded.flip(), lines);
            if (!full) {
                return;
            }
        }
    }

    private void keepUndecoded(ByteBuffer in) {
        if (in == undecoded) {
            undecoded.compact();
            if (undecoded.capacity() > 256 && undecoded.position() <= 16) { // grown for one chunk: let it go
                undecoded = ByteBuffer.allocate(16).put(undecoded.flip());
            }
        } else {
            undecoded.clear();
            undecoded = grown(undecoded, in.remaining());
            undecoded.put(in);
        }
    }

    private static ByteBuffer grown(ByteBuffer buffer, int more) {
        if (buffer.remaining() >= more) {
            return buffer;
        }
        ByteBuffer bigger = ByteBuffer.allocate(buffer.position() + more);
        return bigger.put(buffer.flip());
    }

    private void take(CharBuffer text, Consumer<OutputLine> lines) {
        while (text.hasRemaining()) {
            char c = text.get();
            if (c == '\n') {
                emit(pending.length(), true, lines);
                continue;
            }
            // A full line goes on in a new piece, a surrogate pair whole; one character more may wait for its
            // cut, a \r, which a \n after it makes a line end rather than the start of the next piece.
            boolean mayWait = c == '\r' && pending.length() == LONGEST;
            if (pending.length() >= LONGEST && !mayWait) {
                char next = pending.length() > LONGEST ? pending.charAt(LONGEST) : c;
                boolean pairAtCut = Character.isHighSurrogate(pending.charAt(LONGEST - 1)) && Character.isLowSurrogate(next);
                emit(pairAtCut ? LONGEST - 1 : LONGEST, false, lines);
            }
            pending.append(c);
        }
    }

    /**
     * Emits the first {@code end} pending characters as a line and keeps the rest; at a line's end (not
     * at a cut in a long one) without its {@code \r}.
     */
    private void emit(int end, boolean lineEnd, Consumer<OutputLine> lines) {
        int textEnd = lineEnd && end > 0 && pending.charAt(end - 1) == '\r' ? end - 1 : end;
        lines.accept(new OutputLine(source, pending.substring(0, textEnd)));
        pending.delete(0, end);
        if (pending.capacity() > 4096 && pending.length() < 256) {
            pending.trimToSize();
        }
    }
}
