package dev.containerized.container.host;

import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.text.ControlCharacters;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Why execve said ENOENT of a program that is there: what it needs to run is not. A script's
 * interpreter (its "#!" line, as a shell's "bad interpreter" says), or an ELF program's dynamic loader
 * (a glibc program in an image of musl, or of no libc). For a program named without a '/', the first
 * file of that name along the PATH, where PID 1's lookup found it.
 */
final class MissingInterpreter {
    /** The first bytes of a container's regular file, by its absolute path; empty where there is none. */
    @FunctionalInterface
    interface FileStart {
        Optional<byte[]> read(String path, int count);
    }

    /** The program's file, and why it could not start. */
    record Explanation(String path, String why) {
    }

    private MissingInterpreter() {
    }

    static Optional<Explanation> explain(String program, String workingDirectory, String pathVariable, FileStart files) {
        for (String candidate : candidates(program, workingDirectory, pathVariable)) {
            Optional<byte[]> start = files.read(candidate, 256);
            if (start.isPresent()) {
                return why(start.get(), files).map(why -> new Explanation(candidate, why));
            }
        }
        return Optional.empty();
    }

    private static List<String> candidates(String program, String workingDirectory, String pathVariable) {
        if (program.contains("/")) {
            return List.of(absolute(program, workingDirectory));
        }
        List<String> candidates = new ArrayList<>();
        for (String directory : pathVariable.split(":", -1)) {
            // An empty entry is the working directory, as for execvp; a relative one lies below it.
            String candidate = absolute(directory.isEmpty() ? program : join(directory, program), workingDirectory);
            if (candidate.length() < Fcntl.PATH_MAX) { // as PID 1's lookup, which skips longer ones
                candidates.add(candidate);
            }
        }
        return candidates;
    }

    private static String absolute(String path, String workingDirectory) {
        return path.startsWith("/") ? path : join(workingDirectory, path);
    }

    private static Optional<String> why(byte[] start, FileStart files) {
        if (start.length > 2 && start[0] == '#' && start[1] == '!') {
            return Optional.of(scriptWithout(start, files));
        }
        if (isElf(start)) {
            return Optional.of("the dynamic loader it names (its ELF interpreter, such as glibc's ld-linux in an image of musl "
                    + "or of no libc) is not there");
        }
        return Optional.empty();
    }

    /** The kernel's reading of a "#!" line: up to the newline, blanks before the interpreter skipped, it ends at a blank. */
    private static String scriptWithout(byte[] start, FileStart files) {
        String line = new String(start, 2, start.length - 2, StandardCharsets.UTF_8);
        int newline = line.indexOf('\n');
        line = (newline < 0 ? line : line.substring(0, newline)).replaceFirst("^[ \t]+", "");
        String interpreter = line.split("[ \t]", 2)[0];
        String named = ControlCharacters.escape("\"" + interpreter + "\"");
        if (interpreter.endsWith("\r")) {
            return "its #! line ends in a carriage return (Windows line endings), so the kernel looks for the interpreter " + named
                    + ": convert the file to Unix line endings (dos2unix, or sed -i 's/\\r$//')";
        }
        Optional<byte[]> interpreterStart = interpreter.startsWith("/") ? files.read(interpreter, 4) : Optional.empty();
        if (interpreterStart.isPresent() && isElf(interpreterStart.get())) {
            return "its interpreter " + named + " (its #! line) is there, but the dynamic loader that one names is not";
        }
        return "its interpreter " + named + " (its #! line) is not there";
    }

    private static boolean isElf(byte[] start) {
        return start.length > 3 && start[0] == 0x7f && start[1] == 'E' && start[2] == 'L' && start[3] == 'F';
    }

    private static String join(String directory, String name) {
        return directory.endsWith("/") ? directory + name : directory + "/" + name;
    }
}
