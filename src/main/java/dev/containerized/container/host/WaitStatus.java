package dev.containerized.container.host;

import java.util.OptionalInt;

/** A waitpid(2) status, decoded once for every place that reports how a process ended. */
public record WaitStatus(int raw) {
    /** The signal that killed the process, if one did (WIFSIGNALED, WTERMSIG). */
    public OptionalInt signal() {
        int signal = raw & 0x7f;
        return signal == 0 ? OptionalInt.empty() : OptionalInt.of(signal);
    }

    /** The status as a shell tells it: the exit code (WEXITSTATUS), or 128 + the signal. */
    public int shellStatus() {
        return signal().isPresent() ? 128 + signal().getAsInt() : (raw >> 8) & 0xff;
    }

    public String describe() {
        return signal().isPresent() ? "killed by signal " + signal().getAsInt() : "exit status " + shellStatus();
    }
}
