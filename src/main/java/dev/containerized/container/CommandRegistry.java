package dev.containerized.container;

import java.util.ArrayList;
import java.util.List;

/**
 * The commands of one container worth showing when a test fails, and what a log-line wait listens to:
 * the ones still running, and the last ones started in the background that ended. A command {@code exec}
 * waited for leaves when its result is in, and ended background commands beyond {@link #ENDED_KEPT} are
 * dropped, so a long-lived container does not keep every output it ever produced.
 */
final class CommandRegistry {
    static final int ENDED_KEPT = 16;
    private static final int LINES_EACH = 20;

    private final List<BackgroundProcess> commands = new ArrayList<>();

    synchronized BackgroundProcess add(BackgroundProcess command) {
        commands.add(command);
        long ended = commands.stream().filter(c -> !c.isAlive()).count();
        for (int i = 0; i < commands.size() && ended > ENDED_KEPT; ) {
            if (!commands.get(i).isAlive()) {
                commands.remove(i);
                ended--;
            } else {
                i++;
            }
        }
        return command;
    }

    synchronized void remove(BackgroundProcess command) {
        commands.remove(command);
    }

    synchronized List<BackgroundProcess> list() {
        return List.copyOf(commands);
    }

    /** Each command, how it stands and its last lines, one after the other; empty when there were none. */
    String describe() {
        StringBuilder s = new StringBuilder();
        for (BackgroundProcess process : list()) {
            s.append(s.length() == 0 ? "" : "\n").append(process.describe(LINES_EACH));
        }
        return s.toString();
    }
}
