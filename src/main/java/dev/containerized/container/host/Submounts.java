package dev.containerized.container.host;

import dev.containerized.internal.linux.Fd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a mount the calling thread just made has mounts below it, from the thread's own mount table
 * ({@code /proc/thread-self/mountinfo}: the container thread's namespace, not the host's), so what is
 * checked is what the container got, whatever the host did meanwhile.
 */
final class Submounts {
    private Submounts() {
    }

    /** Whether the topmost mount at {@code mounted} (its root, opened) has any mount below it. */
    static boolean below(Fd mounted) {
        try {
            String mountPoint = Files.readSymbolicLink(Path.of(mounted.procPath())).toString();
            String[] lines = Files.readString(Path.of("/proc/thread-self/mountinfo")).split("\n");
            // id parent major:minor root mountpoint ...: the last line for a mount point is its topmost mount.
            String id = null;
            for (String line : lines) {
                String[] fields = line.split(" ");
                if (fields.length > 4 && unescape(fields[4]).equals(mountPoint)) {
                    id = fields[0];
                }
            }
            if (id == null) {
                throw new IllegalStateException("no mount at " + mountPoint + " in /proc/thread-self/mountinfo");
            }
            for (String line : lines) {
                String[] fields = line.split(" ");
                if (fields.length > 4 && fields[1].equals(id)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/thread-self/mountinfo", e);
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
