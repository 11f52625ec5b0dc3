package dev.containerized.cli;

import dev.containerized.container.CgroupStats;
import dev.containerized.internal.text.Durations;

import java.util.Locale;
import java.util.OptionalLong;

/**
 * The line {@code run} ends with on stderr, for a person reading a CI log:
 * {@code pids peak 20/20, 412 forks refused; memory peak 63.9/64 MiB, 1 OOM kill; 2.3 s}.
 */
final class Summary {
    private Summary() {
    }

    static String line(RunOutcome outcome) {
        StringBuilder s = new StringBuilder("containerized: ");
        if (outcome.run().isEmpty()) {
            return s.append("no container: ").append(outcome.error().orElse("")).append("; ")
                    .append(Durations.seconds(outcome.duration())).toString();
        }
        CgroupStats stats = outcome.run().get().stats();
        s.append("pids peak ").append(figure(stats.pidsPeak())).append(limit(outcome.pidsLimit()));
        if (stats.forksRefused() > 0) {
            s.append(", ").append(stats.forksRefused()).append(" forks refused");
        }
        s.append("; memory peak ").append(stats.memoryPeakBytes() < 0 ? "?" : mebibytes(stats.memoryPeakBytes()))
                .append(outcome.memoryLimitBytes().stream().mapToObj(l -> "/" + mebibytes(l)).findFirst().orElse("")).append(" MiB");
        if (stats.oomKills() > 0) {
            s.append(", ").append(RunOutcome.count(stats.oomKills(), "OOM kill"));
        }
        s.append("; ").append(Durations.seconds(outcome.duration()));
        if (outcome.timedOut()) {
            s.append("; timed out and killed");
        }
        if (outcome.exitsForALimit()) {
            s.append("; exit ").append(ExitStatus.LIMIT_HIT).append(": a limit was hit (--fail-on-limit)");
        }
        return s.toString();
    }

    /** Bytes in MiB, one decimal unless whole: {@code 63.9}, {@code 64}. */
    static String mebibytes(long bytes) {
        double mib = bytes / (double) (1 << 20);
        String text = String.format(Locale.ROOT, "%.1f", mib);
        return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text;
    }

    private static String figure(long value) {
        return value < 0 ? "?" : Long.toString(value);
    }

    private static String limit(OptionalLong limit) {
        return limit.isPresent() ? "/" + limit.getAsLong() : "";
    }
}
