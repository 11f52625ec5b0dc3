package dev.containerized.container.confine;

import dev.containerized.container.Seccomp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test profiles given as JSON text, made into a {@link Seccomp} the way users make them: from a file. */
final class SeccompProfiles {
    private SeccompProfiles() {
    }

    static Seccomp of(String json) {
        try {
            Path file = Files.createTempFile("seccomp-profile", ".json");
            file.toFile().deleteOnExit();
            Files.writeString(file, json);
            return Seccomp.fromFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
