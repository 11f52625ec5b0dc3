package dev.containerized.cli;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A command as a person would type it in a shell, for reports and messages. */
final class Shell {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./=:,+@%-]+");

    private Shell() {
    }

    /** {@code bash -c ':(){ :|:& };:'}: each word single-quoted unless it needs no quotes. */
    static String quote(List<String> argv) {
        return argv.stream().map(Shell::quote).collect(Collectors.joining(" "));
    }

    static String quote(String word) {
        return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
