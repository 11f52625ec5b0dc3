package dev.containerized.container;

import dev.containerized.internal.text.ControlCharacters;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * How a command in a container ended.
 *
 * @param command       the argv that ran
 * @param exitCode      the exit status; for a command killed by a signal, 128 + the signal, as a shell says
 * @param signal        the signal that killed it, if one did
 * @param stdout        what it wrote to stdout, as UTF-8; past the output limit, its start and its end
 *                      with a line between them that says how much was dropped
 * @param stderr        the same for stderr
 * @param duration      from the request to the end of its output
 * @param timedOut      whether it was killed because it outlived its timeout
 * @param oomKilled     whether it was killed by SIGKILL while the container's OOM-kill count rose
 * @param stdoutDropped bytes of stdout beyond the output limit, dropped from the middle; 0 when all is kept
 * @param stderrDropped the same for stderr
 */
public record ExecResult(List<String> command, int exitCode, OptionalInt signal, String stdout, String stderr,
                         Duration duration, boolean timedOut, boolean oomKilled, long stdoutDropped, long stderrDropped) {
    public ExecResult {
        command = List.copyOf(command);
    }

    /** A result whose output was kept whole. */
    public ExecResult(List<String> command, int exitCode, OptionalInt signal, String stdout, String stderr,
                      Duration duration, boolean timedOut, boolean oomKilled) {
        this(command, exitCode, signal, stdout, stderr, duration, timedOut, oomKilled, 0, 0);
    }

    /** Exited with status 0, in time. */
    public boolean succeeded() {
        return exitCode == 0 && signal.isEmpty() && !timedOut;
    }

    /** Whether output beyond the limit was dropped from stdout or stderr. */
    public boolean outputTruncated() {
        return stdoutDropped > 0 || stderrDropped > 0;
    }

    /** A one-line account for failure messages: the command, how it ended, and the tails of its output. */
    public String describe() {
        StringBuilder s = new StringBuilder("command ").append(command).append(' ');
        if (timedOut) {
            s.append("timed out after ").append(duration.toMillis()).append(" ms and was killed");
        } else if (signal.isPresent()) {
            s.append("was killed by signal ").append(signal.getAsInt()).append(oomKilled ? " (OOM killer)" : "");
        } else {
            s.append("exited with status ").append(exitCode);
        }
        s.append("\n  stdout (tail): ").append(tail(stdout)).append("\n  stderr (tail): ").append(tail(stderr));
        return s.toString();
    }

    private static String tail(String text) {
        String t = text.length() > 800 ? "…" + text.substring(text.length() - 800) : text;
        return t.isEmpty() ? "(empty)" : ControlCharacters.escape(t.strip()).replace("\n", "\n    ");
    }
}
