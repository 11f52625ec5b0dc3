package dev.containerized.container;

/**
 * One line a background command wrote, as text in its {@link Exec#outputCharset} (UTF-8 unless set)
 * without its line ending ({@code \n} or {@code \r\n}). A line longer than 16 Ki characters arrives in pieces.
 *
 * @param source which stream it came from
 * @param text   the line
 */
public record OutputLine(Source source, String text) {
    public enum Source {
        STDOUT,
        STDERR
    }

    /** {@code out| text} or {@code err| text}, as failure messages show it. */
    @Override
    public String toString() {
        return (source == Source.STDERR ? "err| " : "out| ") + text;
    }
}
