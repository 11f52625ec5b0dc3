package dev.containerized.container;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * How a command in a container ended.
 *
 * @param command   the argv that ran
 * @param exitCode  the exit status; for a command killed by a signal, 128 + the signal, as a shell says
 * @param signal    the signal that killed it, if one did
 * @param stdout    everything it wrote to stdout, as UTF-8
 * @param stderr    everything it wrote to stderr, as UTF-8
 * @param duration  from the request to the end of its output
 * @param timedOut  whether it was killed because it outlived its timeout
 * @param oomKilled whether it was killed by SIGKILL while the container's OOM-kill count rose
 */
public record ExecResult(List<String> command, int exitCode, OptionalInt signal, String stdout, String stderr,
                         Duration duration, boolean timedOut, boolean oomKilled) {
    public ExecResult {
        command = List.copyOf(command);
    }

    /** Exited with status 0, in time. */
    public boolean succeeded() {
        return exitCode == 0 && signal.isEmpty() && !timedOut;
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
        return t.isEmpty() ? "(empty)" : t.strip().replace("\n", "\n    ");
    }

    /** How a command ended, from its waitpid(2) status. */
    static ExecResult fromWaitStatus(List<String> command, int waitStatus, String stdout, String stderr,
                                     Duration duration, boolean timedOut, boolean oomKillsRose) {
        WaitStatus status = new WaitStatus(waitStatus);
        boolean oomKilled = status.signal().equals(OptionalInt.of(9)) && oomKillsRose && !timedOut;
        return new ExecResult(command, status.shellStatus(), status.signal(), stdout, stderr, duration, timedOut, oomKilled);
    }
}
