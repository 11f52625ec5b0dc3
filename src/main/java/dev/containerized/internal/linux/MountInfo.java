package dev.containerized.internal.linux;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of a {@code /proc/PID/mountinfo} (proc(5)): the mount's id and its parent's, the path of its
 * filesystem it shows, where it is mounted, its filesystem type and that filesystem's options. Paths
 * are unescaped (the kernel writes space, tab, newline and backslash in octal).
 */
public record MountInfo(String id, String parentId, String root, String mountPoint, String fstype, String superOptions) {

    /** The lines of a mountinfo file's text; a line of another shape is passed over. */
    public static List<MountInfo> parse(String text) {
        List<MountInfo> mounts = new ArrayList<>();
        for (String line : text.split("\n")) {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            String[] fields = line.trim().split(" ");
            int separator = List.of(fields).indexOf("-");
            if (separator < 6 || fields.length < separator + 4) {
                continue;
            }
            mounts.add(new MountInfo(fields[0], fields[1], unescape(fields[3]), unescape(fields[4]), fields[separator + 1],
                    fields[separator + 3]));
        }
        return mounts;
    }

    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
