package dev.containerized.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CPU numbers in the kernel's list format, as cpuset.cpus and {@code docker run --cpuset-cpus} take them:
 * {@code "0"}, {@code "0-1"}, {@code "0,2-3"}. Parsed strictly, so that a typo fails here with a clear
 * message rather than as EINVAL from a cgroup file.
 */
final class CpuList {
    private static final Pattern ITEM = Pattern.compile("(\\d{1,4})(?:-(\\d{1,4}))?");
    private static final String EXAMPLE = "use CPU numbers and ranges such as \"0\", \"0-1\" or \"0,2-3\"";

    private CpuList() {
    }

    /** The CPUs {@code text} names; an {@link IllegalArgumentException} says what is wrong with it. */
    static BitSet parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("cpuset \"" + text + "\" is empty: " + EXAMPLE);
        }
        BitSet cpus = new BitSet();
        for (String item : text.strip().split(",", -1)) {
            Matcher m = ITEM.matcher(item.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("cpuset \"" + text + "\" does not parse at \"" + item + "\": " + EXAMPLE);
            }
            int low = Integer.parseInt(m.group(1));
            int high = m.group(2) == null ? low : Integer.parseInt(m.group(2));
            if (high < low) {
                throw new IllegalArgumentException("cpuset \"" + text + "\": the range " + item.strip()
                        + " runs backwards; write it low to high, such as \"" + high + "-" + low + "\"");
            }
            cpus.set(low, high + 1);
        }
        return cpus;
    }

    /** The shortest list form: {@code 0-1,3}. */
    static String format(BitSet cpus) {
        StringBuilder text = new StringBuilder();
        for (int low = cpus.nextSetBit(0); low >= 0; low = cpus.nextSetBit(low + 1)) {
            int high = cpus.nextClearBit(low) - 1;
            text.append(text.isEmpty() ? "" : ",").append(low).append(high > low ? "-" + high : "");
            low = high;
        }
        return text.toString();
    }

    /**
     * The CPUs this process may run on (its affinity, which follows the host's online CPUs and the
     * cpuset it lives in), as {@code /proc/self/status} says; what {@code docker run} checks against too.
     */
    static BitSet available() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return parse(line.substring(line.indexOf(':') + 1));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // Not Linux as we know it: fall through to the JVM's count.
        }
        BitSet all = new BitSet();
        all.set(0, Runtime.getRuntime().availableProcessors());
        return all;
    }
}
