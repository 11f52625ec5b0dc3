package dev.containerized.internal.text;

/**
 * A container's output shown in a failure message goes to a developer's terminal: its control
 * characters (an escape sequence that writes the clipboard or clears the screen, a carriage return
 * that writes over a line) are shown as {@code \u001b}, never sent on. Line feeds and tabs stay.
 */
public final class ControlCharacters {
    private ControlCharacters() {
    }

    public static String escape(String text) {
        StringBuilder escaped = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || c >= 0x80 && c <= 0x9f;
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
}
