package dev.containerized.cli;

import dev.containerized.container.CgroupStats;
import dev.containerized.container.ExecResult;
import dev.containerized.internal.json.Json;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code --report FILE}: the run as one JSON object, for a CI step that reads the figures. A figure the
 * kernel does not offer, a limit not set, or a result of a run that never started is null.
 * <pre>{@code
 * {"command":["bash","-c",":(){ :|:& };:"],"exitStatus":3,"exitCode":0,"signal":null,"timedOut":false,
 *  "durationSeconds":1.204,"commandSeconds":0.815,"limitHit":true,
 *  "pids":{"peak":20,"limit":20,"forksRefused":412},
 *  "memory":{"peakBytes":2318336,"limitBytes":67108864,"oomKills":0},"failures":["..."],"error":null}
 * }</pre>
 */
final class JsonReport {
    private JsonReport() {
    }

    static String write(RunOutcome outcome) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("command", outcome.command());
        report.put("exitStatus", outcome.exitStatus());
        ExecResult result = outcome.run().map(r -> r.result()).orElse(null);
        CgroupStats stats = outcome.run().map(r -> r.stats()).orElse(null);
        report.put("exitCode", result == null ? null : result.exitCode());
        report.put("signal", result == null || result.signal().isEmpty() ? null : result.signal().getAsInt());
        report.put("timedOut", outcome.timedOut());
        report.put("durationSeconds", seconds(outcome.duration()));
        report.put("commandSeconds", result == null ? null : seconds(result.duration()));
        report.put("timeoutSeconds", outcome.timeout().map(JsonReport::seconds).orElse(null));
        report.put("limitHit", outcome.limitHit());
        Map<String, Object> pids = new LinkedHashMap<>();
        pids.put("peak", stats == null ? null : known(stats.pidsPeak()));
        pids.put("limit", orNull(outcome.pidsLimit()));
        pids.put("forksRefused", stats == null ? null : known(stats.forksRefused()));
        report.put("pids", pids);
        Map<String, Object> memory = new LinkedHashMap<>();
        memory.put("peakBytes", stats == null ? null : known(stats.memoryPeakBytes()));
        memory.put("limitBytes", orNull(outcome.memoryLimitBytes()));
        memory.put("oomKills", stats == null ? null : known(stats.oomKills()));
        report.put("memory", memory);
        report.put("failures", outcome.failures());
        report.put("error", outcome.error().orElse(null));
        return Json.write(report) + "\n";
    }

    private static BigDecimal seconds(Duration duration) {
        return BigDecimal.valueOf(duration.toMillis(), 3);
    }

    private static Long known(long figure) {
        return figure < 0 ? null : figure;
    }

    private static Long orNull(OptionalLong value) {
        return value.isPresent() ? value.getAsLong() : null;
    }
}
