package dev.containerized.container;

import java.util.ArrayDeque;
import java.util.List;

/**
 * A container's recent background commands: what a log-line wait listens to, and what a failure
 * message or a failed test's report shows. The last {@value #KEPT} are kept, those still running
 * before those that ended.
 */
final class BackgroundCommands {
    static final int KEPT = 16;
    private static final int LINES_EACH = 20;

    private final ArrayDeque<BackgroundProcess> recent = new ArrayDeque<>();

    synchronized BackgroundProcess add(BackgroundProcess process) {
        recent.addLast(process);
        if (recent.size() > KEPT) {
            BackgroundProcess evicted = recent.stream().filter(p -> p != process && !p.isAlive()).findFirst()
                    .orElse(recent.peekFirst());
            recent.remove(evicted);
        }
        return process;
    }

    synchronized List<BackgroundProcess> all() {
        return List.copyOf(recent);
    }

    /** Each command, how it stands and its last lines, one after the other; empty when there were none. */
    String describe() {
        StringBuilder s = new StringBuilder();
        for (BackgroundProcess process : all()) {
            s.append(s.length() == 0 ? "" : "\n").append(process.describe(LINES_EACH));
        }
        return s.toString();
    }
}
