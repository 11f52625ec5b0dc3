package dev.containerized.container;

import dev.containerized.container.confine.SeccompFilters;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Which system calls the commands of a container may make, as Docker's
 * {@code --security-opt seccomp=...} says it: Docker's default profile, none at all, or a profile
 * file in Docker's JSON format.
 * <p>
 * Compared with Docker, a call made through a foreign architecture (i386 {@code int 0x80} on
 * x86_64, arm32 on aarch64, x32) kills the process instead of being filtered by the same profile.
 */
public final class Seccomp {
    /** Docker's default profile (moby's seccomp/default.json): what {@code docker run} applies. */
    public static final Seccomp DEFAULT = new Seccomp(Kind.DEFAULT, null, null);
    /** No filter, like {@code --security-opt seccomp=unconfined}. */
    public static final Seccomp UNCONFINED = new Seccomp(Kind.UNCONFINED, null, null);

    private static final String DEFAULT_PROFILE_RESOURCE = "confine/docker-default.json";
    /** Profiles are a few KiB; anything this large is the wrong file. */
    private static final long MAX_PROFILE_BYTES = 1 << 20;
    private static final String SPELLINGS = "write \"default\", \"unconfined\", or the path of a profile in Docker's JSON format";

    private enum Kind { DEFAULT, UNCONFINED, FILE }

    private final Kind kind;
    private final Path file;
    private final String json;

    private Seccomp(Kind kind, Path file, String json) {
        this.kind = kind;
        this.file = file;
        this.json = json;
    }

    /**
     * A profile file in Docker's JSON format, read and checked now, so that a mistake is reported
     * where the file is named rather than when a container starts.
     *
     * @throws IllegalArgumentException naming the file, the JSON position or field, and what to write instead
     */
    public static Seccomp fromFile(Path file) {
        Objects.requireNonNull(file, "file");
        Path absolute = file.toAbsolutePath().normalize();
        String text = read(absolute);
        SeccompFilters.validate("seccomp profile " + absolute, text);
        return new Seccomp(Kind.FILE, absolute, text);
    }

    /** The annotation and command-line spelling: {@code default}, {@code unconfined}, or a path. */
    public static Seccomp parse(String spelling) {
        if (spelling == null || spelling.isBlank()) {
            throw new IllegalArgumentException("seccomp \"" + spelling + "\" is empty: " + SPELLINGS);
        }
        switch (spelling.trim()) {
            case "default":
                return DEFAULT;
            case "unconfined":
                return UNCONFINED;
            default:
                try {
                    return fromFile(Path.of(spelling.trim()));
                } catch (InvalidPathException e) {
                    throw new IllegalArgumentException("seccomp \"" + spelling + "\" is not a path (" + e.getReason()
                            + "): " + SPELLINGS);
                }
        }
    }

    /** The profile in Docker's JSON format, as enforced; empty when unconfined. */
    public Optional<String> profileJson() {
        return switch (kind) {
            case DEFAULT -> Optional.of(DefaultProfile.JSON);
            case UNCONFINED -> Optional.empty();
            case FILE -> Optional.of(json);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Seccomp other && kind == other.kind && Objects.equals(file, other.file)
                && Objects.equals(json, other.json);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, file, json);
    }

    /** "default", "unconfined", or the file's absolute path: what {@link #parse} reads back. */
    @Override
    public String toString() {
        return switch (kind) {
            case DEFAULT -> "default";
            case UNCONFINED -> "unconfined";
            case FILE -> file.toString();
        };
    }

    private static String read(Path file) {
        String what = "seccomp profile " + file;
        try {
            if (Files.isDirectory(file)) {
                throw new IllegalArgumentException(what + " is a directory: " + SPELLINGS);
            }
            if (Files.size(file) > MAX_PROFILE_BYTES) {
                throw new IllegalArgumentException(what + " is larger than 1 MiB, too large for a profile: " + SPELLINGS);
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(what + " does not exist: " + SPELLINGS, e);
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(what + " cannot be read (permission denied): make it readable, or "
                    + SPELLINGS, e);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " is not UTF-8 text: save it as UTF-8 JSON", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " cannot be read (" + e + "): " + SPELLINGS, e);
        }
    }

    /** Loaded on first use: most code paths never look at the text. */
    private static final class DefaultProfile {
        static final String JSON = load();

        private static String load() {
            try (InputStream in = Seccomp.class.getResourceAsStream(DEFAULT_PROFILE_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("Docker's default seccomp profile (" + DEFAULT_PROFILE_RESOURCE
                            + ") is missing from the classpath: rebuild the containerized jar");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("reading Docker's default seccomp profile", e);
            }
        }
    }
}
