package dev.containerized.container.confine;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kernel's major and minor version, which is all that Docker's profiles compare
 * ({@code "minKernel": "4.8"}).
 */
public record KernelVersion(int major, int minor) implements Comparable<KernelVersion> {
    private static final Pattern LEADING_VERSION = Pattern.compile("(\\d+)(?:\\.(\\d+))?");

    public KernelVersion {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("kernel version " + major + "." + minor + " has a negative part");
        }
    }

    /** The running kernel, from uname's release as the JVM reports it ({@code os.version}, e.g. "6.18.44-fc"). */
    public static KernelVersion running() {
        String release = System.getProperty("os.version", "");
        return parse(release);
    }

    /** Reads the leading {@code major[.minor]} of a kernel release such as "6.18.44-generic" or "4.8". */
    public static KernelVersion parse(String release) {
        Matcher m = LEADING_VERSION.matcher(release == null ? "" : release.trim());
        if (!m.lookingAt()) {
            throw new IllegalArgumentException("kernel version \"" + release
                    + "\" does not start with a number: write it as major.minor, such as \"4.8\"");
        }
        try {
            int major = Integer.parseInt(m.group(1));
            int minor = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
            return new KernelVersion(major, minor);
        } catch (NumberFormatException tooLong) {
            throw new IllegalArgumentException("kernel version \"" + release + "\" has a part too large to be one");
        }
    }

    public boolean isAtLeast(KernelVersion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(KernelVersion other) {
        int byMajor = Integer.compare(major, other.major);
        return byMajor != 0 ? byMajor : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
