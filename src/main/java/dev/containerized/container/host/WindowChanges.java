package dev.containerized.container.host;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * SIGWINCH of this JVM's terminal, passed on to the ptys of containers that run on it. Uses
 * {@code sun.misc.Signal} (module jdk.unsupported), the JDK's one hook for a signal; where the JVM
 * refuses it, window changes are simply not followed.
 */
final class WindowChanges {
    private static final List<Runnable> LISTENERS = new CopyOnWriteArrayList<>();
    private static boolean installed;

    private WindowChanges() {
    }

    static synchronized void follow(Runnable onChange) {
        LISTENERS.add(onChange);
        if (!installed) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), signal -> LISTENERS.forEach(Runnable::run));
            } catch (IllegalArgumentException refused) {
                // This JVM uses SIGWINCH itself or does not allow handling it.
            }
            installed = true;
        }
    }

    static void stop(Runnable onChange) {
        LISTENERS.remove(onChange);
    }
}
