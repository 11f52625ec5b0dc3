package dev.containerized.rootfs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A parsed rootfs recipe; see {@code rootfs/default.recipe} for the directives. */
record Recipe(String text, List<String> busyboxCandidates, List<String> programs, List<String> fallbacks,
              List<String> directories, Map<String, String> files) {

    static Recipe parse(String text) {
        List<String> busybox = new ArrayList<>();
        List<String> programs = new ArrayList<>();
        List<String> fallbacks = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        Map<String, String> files = new LinkedHashMap<>();
        int number = 0;
        for (String raw : text.split("\n")) {
            number++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("\\s+");
            List<String> args = List.of(words).subList(1, words.length);
            switch (words[0]) {
                case "busybox" -> busybox.addAll(args);
                case "program" -> programs.addAll(args);
                case "fallback" -> fallbacks.addAll(args);
                case "dir" -> dirs.addAll(args);
                case "file" -> {
                    if (args.isEmpty()) {
                        throw new IllegalArgumentException("rootfs recipe line " + number + ": 'file' needs a path");
                    }
                    // The same path again adds a line: /etc/passwd has more than one user.
                    files.merge(args.get(0), String.join(" ", args.subList(1, args.size())), (a, b) -> a + "\n" + b);
                }
                default -> throw new IllegalArgumentException("rootfs recipe line " + number + ": unknown directive '"
                        + words[0] + "' (known: busybox, program, fallback, dir, file)");
            }
        }
        return new Recipe(text, List.copyOf(busybox), List.copyOf(programs), List.copyOf(fallbacks), List.copyOf(dirs),
                Map.copyOf(files));
    }
}
