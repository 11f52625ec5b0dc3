package dev.containerized.internal.text;

/**
 * A container's output shown in a failure message goes to a developer's terminal: its control
 * characters (an escape sequence that writes the clipboard or clears the screen, a carriage return
 * that writes over a line) are shown as {@code \u001b}, never sent on. Line feeds and tabs stay. So are
 * Unicode's bidirectional controls, which reorder what a terminal or a log viewer shows after them (a
 * name the container chose could make a message read otherwise than it says).
 */
public final class ControlCharacters {
    private ControlCharacters() {
    }

    public static String escape(String text) {
        StringBuilder escaped = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || c >= 0x80 && c <= 0x9f || isBidiControl(c);
            if (control && escaped == null) {
                escaped = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (escaped != null) {
                if (control) {
                    escaped.append(String.format("\\u%04x", (int) c));
                } else {
                    escaped.append(c);
                }
            }
        }
        return escaped == null ? text : escaped.toString();
    }

    /** ALM, LRM, RLM, the embeddings and overrides (U+202A to U+202E), the isolates (U+2066 to U+2069). */
    private static boolean isBidiControl(char c) {
        return c == 0x061c || c == 0x200e || c == 0x200f || c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069;
    }
}
