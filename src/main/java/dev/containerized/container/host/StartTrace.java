package dev.containerized.container.host;

import java.util.Locale;

/**
 * With {@code -Dcontainerized.trace=true}, the time of each phase of a container's start and teardown,
 * on stderr: what to look at when starts are slow on some machine. Off, it costs a field read.
 */
final class StartTrace {
    static final boolean ON = Boolean.getBoolean("containerized.trace");
    private final String what;
    private final StringBuilder line = new StringBuilder();
    private long last = System.nanoTime();

    /** @param what what is timed, e.g. "start of 1a2b" */
    StartTrace(String what) {
        this.what = what;
    }

    void mark(String phase) {
        if (ON) {
            long now = System.nanoTime();
            line.append(String.format(Locale.ROOT, " %s=%.2f", phase.replace(' ', '-'), (now - last) / 1e6));
            last = now;
        }
    }

    void print() {
        if (ON) {
            System.err.println("containerized: " + what + " (ms):" + line);
        }
    }
}
