package dev.containerized.container.init;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Resolves a command name against the container's PATH, inside the container's filesystem (the init
 * runs after pivot_root). posix_spawnp would search the init's own PATH, the host's.
 */
final class ExecutableLookup {
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private ExecutableLookup() {
    }

    static String path(List<String> env) {
        return env.stream().filter(e -> e.startsWith("PATH=")).map(e -> e.substring(5)).findFirst().orElse(DEFAULT_PATH);
    }

    /** The file to execute: a name with a slash as it is, else the first executable match in PATH. */
    static Optional<String> find(String command, List<String> env) {
        if (command.contains("/")) {
            return Files.exists(Path.of(command)) ? Optional.of(command) : Optional.empty();
        }
        for (String dir : path(env).split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }
}
