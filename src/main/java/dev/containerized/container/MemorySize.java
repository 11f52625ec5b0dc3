package dev.containerized.container;

import java.util.Locale;

/** Parses sizes the way Docker's {@code --memory} does: {@code 64m}, {@code 1g}, {@code 512k}, or bytes. */
public final class MemorySize {
    private MemorySize() {
    }

    public static long parseBytes(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("b")) {
            s = s.substring(0, s.length() - 1);
        }
        long unit = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                default -> unit = 1;
            }
        }
        String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
        try {
            if (!digits.chars().allMatch(c -> c >= '0' && c <= '9')) { // parseLong also takes "+1" and other scripts' digits
                throw new NumberFormatException(digits);
            }
            long value = Long.parseLong(digits);
            if (value <= 0 || value > Long.MAX_VALUE / unit) {
                throw new NumberFormatException();
            }
            return value * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("memory size \"" + text
                    + "\" does not parse: use a positive number with an optional unit k, m or g, such as \"64m\"");
        }
    }
}
