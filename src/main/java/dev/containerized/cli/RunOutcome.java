package dev.containerized.cli;

import dev.containerized.container.CgroupStats;
import dev.containerized.container.ExecResult;
import dev.containerized.container.RunResult;
import dev.containerized.internal.text.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One run as the CI outputs tell it (the summary line, the JSON report, the JUnit XML): the command,
 * the limits it ran under, how it ended and the cgroup's figures, or why no container could be made.
 *
 * @param command          the command as given
 * @param pidsLimit        the pids limit it ran under, if any
 * @param memoryLimitBytes the memory limit, if any
 * @param timeout          the --timeout, if any
 * @param duration         from before the container's start to after its removal
 * @param run              how the command ended and the figures; empty when no container could be made
 * @param error            why no container could be made; empty when it ran
 * @param failOnLimit      whether a hit limit decides the exit status
 */
record RunOutcome(List<String> command, OptionalLong pidsLimit, OptionalLong memoryLimitBytes, Optional<Duration> timeout,
                  Duration duration, Optional<RunResult> run, Optional<String> error, boolean failOnLimit) {

    /** Whether a fork was refused at the pids limit or a process OOM-killed. */
    boolean limitHit() {
        return run.map(r -> r.stats().forksRefused() > 0 || r.stats().oomKills() > 0).orElse(false);
    }

    /** Whether {@code run} exits {@value ExitStatus#LIMIT_HIT} because of a limit (a command may exit 3 itself). */
    boolean exitsForALimit() {
        return failOnLimit && limitHit();
    }

    boolean timedOut() {
        return run.map(r -> r.result().timedOut()).orElse(false);
    }

    /** What {@code run} exits with; a hit limit under --fail-on-limit wins, then a timeout, then the command's status. */
    int exitStatus() {
        if (run.isEmpty()) {
            return ExitStatus.CONTAINERIZED_FAILED;
        }
        if (exitsForALimit()) {
            return ExitStatus.LIMIT_HIT;
        }
        if (timedOut()) {
            return ExitStatus.TIMED_OUT;
        }
        return run.get().result().exitCode();
    }

    /** Why the run counts as failed, one phrase each; empty for a command that exited 0 in time under its limits. */
    List<String> failures() {
        List<String> failures = new ArrayList<>();
        error.ifPresent(e -> failures.add("the container could not be made: " + e));
        run.ifPresent(r -> {
            CgroupStats stats = r.stats();
            if (stats.forksRefused() > 0) {
                failures.add("the pids limit" + pidsLimit.stream().mapToObj(l -> " of " + l).findFirst().orElse("")
                        + " refused " + count(stats.forksRefused(), "fork"));
            }
            if (stats.oomKills() > 0) {
                failures.add("the memory limit" + memoryLimitBytes.stream().mapToObj(l -> " of " + Summary.mebibytes(l) + " MiB").findFirst().orElse("")
                        + " cost " + count(stats.oomKills(), "OOM kill"));
            }
            ExecResult result = r.result();
            if (result.timedOut()) {
                failures.add("the command was killed when the timeout of " + timeout.map(Durations::seconds).orElse("?") + " passed");
            } else if (result.signal().isPresent()) {
                failures.add("the command was killed by signal " + result.signal().getAsInt());
            } else if (result.exitCode() != 0) {
                failures.add("the command exited with status " + result.exitCode());
            }
        });
        return failures;
    }

    static String count(long n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
