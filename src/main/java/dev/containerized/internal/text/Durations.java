package dev.containerized.internal.text;

import java.time.Duration;
import java.util.Locale;

/** Durations as users write them in annotations, configuration parameters and the CLI: {@code 90s}, {@code 5m}. */
public final class Durations {
    private Durations() {
    }

    /** {@code 90s}, {@code 5m}, {@code 1h}, {@code 500ms}: a positive whole number and a unit. */
    public static Duration parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (!s.matches("[0-9]+(ms|s|m|h)")) { // parseLong also takes "+5" and other scripts' digits
                throw new NumberFormatException(s);
            }
            Duration d;
            if (s.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            } else if (s.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
            } else if (s.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
            } else if (s.endsWith("h")) {
                d = Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
            } else {
                throw new NumberFormatException();
            }
            if (d.isNegative() || d.isZero()) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException | ArithmeticException e) { // ArithmeticException: more hours than a Duration holds
            throw new IllegalArgumentException("timeout \"" + text + "\" does not parse: use a positive number with ms, s, m or h, such as \"30s\"");
        }
    }

    /** For people: {@code 2.3 s}, {@code 0.04 s}, {@code 95 s}. */
    public static String seconds(Duration duration) {
        double s = duration.toNanos() / 1e9;
        return String.format(Locale.ROOT, s >= 10 ? "%.0f s" : s >= 0.1 ? "%.1f s" : "%.2f s", s);
    }
}
