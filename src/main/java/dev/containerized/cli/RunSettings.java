package dev.containerized.cli;

import dev.containerized.container.ContainerSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one {@code run} invocation asked for, filled in by the options: the container's spec, the
 * command, and what the run reports for CI.
 */
final class RunSettings {
    /** The container's settings; options set them here. */
    private final ContainerSpec.Builder spec = ContainerSpec.builder();
    private final List<String> command = new ArrayList<>();
    private boolean helpAsked;
    private Duration timeout;
    private boolean failOnLimit;
    private Path report;
    private Path junitXml;

    private boolean imageGiven;

    /** An image: its Entrypoint and Cmd make the command when none follows "--". */
    void image(String reference) {
        spec.image(reference);
        imageGiven = true;
    }

    boolean imageGiven() {
        return imageGiven;
    }

    ContainerSpec.Builder spec() {
        return spec;
    }

    List<String> command() {
        return command;
    }

    boolean helpAsked() {
        return helpAsked;
    }

    void askHelp() {
        helpAsked = true;
    }

    /** How long the whole container may live; empty for as long as the command runs. */
    Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    void timeout(Duration timeout) {
        this.timeout = timeout;
    }

    boolean failOnLimit() {
        return failOnLimit;
    }

    void askFailOnLimit() {
        failOnLimit = true;
    }

    /** Where the JSON report goes, if asked for. */
    Optional<Path> report() {
        return Optional.ofNullable(report);
    }

    void report(Path file) {
        report = writableFile("--report", file);
    }

    /** Where the JUnit XML report goes, if asked for. */
    Optional<Path> junitXml() {
        return Optional.ofNullable(junitXml);
    }

    void junitXml(Path file) {
        junitXml = writableFile("--junit-xml", file);
    }

    /**
     * Checked before the run, so a typo in a CI script fails at once rather than after a long run. Missing
     * directories are made when the report is written (a build's target/ is often not there yet, as with
     * Surefire's reports); the nearest one that is there must be a directory this user can write.
     */
    private static Path writableFile(String option, Path file) {
        Path existing = file.toAbsolutePath().getParent();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            throw new IllegalArgumentException(option + " " + file + ": " + existing
                    + " is not a directory, so nothing can be written below it; write the file elsewhere");
        }
        if (!Files.isWritable(existing)) {
            throw new IllegalArgumentException(option + " " + file + ": the directory " + existing
                    + " is not writable by this user; write the file elsewhere, such as under target/");
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + " " + file + " is a directory: give the path of a file, such as "
                    + file.resolve(option.equals("--report") ? "containerized-report.json" : "TEST-containerized.xml"));
        }
        return file;
    }
}
