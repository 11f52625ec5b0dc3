package dev.containerized.cli;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerException;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.RunResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code run}, once its arguments are read: the command as PID 1 of a fresh container, then the summary
 * line on stderr and the reports asked for.
 */
final class RunCommand {
    /** No --timeout: as long as the command runs, such as a shell a person works in. */
    private static final Duration NO_TIMEOUT = Duration.ofDays(3650);

    private RunCommand() {
    }

    /** Runs and returns the exit status (see {@link ExitStatus}). */
    static int execute(RunSettings settings, ContainerSpec spec) {
        long start = System.nanoTime();
        Optional<RunResult> run = Optional.empty();
        Optional<String> error = Optional.empty();
        try {
            run = Optional.of(Container.runInteractive(spec, settings.timeout().orElse(NO_TIMEOUT),
                    settings.command().toArray(String[]::new)));
        } catch (ContainerException | IllegalArgumentException e) { // a user the rootfs lacks, a working directory it lacks …
            error = Optional.of(e.getMessage());
            System.err.println("containerized: " + e.getMessage());
        }
        RunOutcome outcome = new RunOutcome(settings.command(), spec.pidsLimit(), spec.memoryLimitBytes(), settings.timeout(),
                Duration.ofNanos(System.nanoTime() - start), run, error, settings.failOnLimit());
        if (run.isPresent()) {
            System.err.println(Summary.line(outcome));
        }
        try {
            write(settings.report(), JsonReport.write(outcome));
            write(settings.junitXml(), JunitReport.write(outcome));
        } catch (IOException e) {
            System.err.println("containerized: cannot write the report: " + e + "; the run's exit status was " + outcome.exitStatus());
            return ExitStatus.CONTAINERIZED_FAILED;
        }
        return outcome.exitStatus();
    }

    /**
     * Written whole to a temporary file beside it, then moved: a reader never sees half a report. Its
     * missing directories are made now, once there is a report to write.
     */
    private static void write(Optional<Path> file, String content) throws IOException {
        if (file.isEmpty()) {
            return;
        }
        Path target = file.get().toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path temporary = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(temporary, content, StandardCharsets.UTF_8);
            Files.move(temporary, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
