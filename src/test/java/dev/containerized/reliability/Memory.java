package dev.containerized.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/** What this JVM holds: heap in use after full collections, resident memory, descriptors and threads. */
final class Memory {
    private Memory() {
    }

    /** Heap in use after collecting until it stops shrinking: what is really reachable, not garbage. */
    static long heapAfterGc() {
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (used >= last) {
                return Math.min(used, last);
            }
            last = used;
        }
        return last;
    }

    /** A line of /proc/self/status in KiB, such as VmRSS or VmHWM. */
    static long status(String key) {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith(key + ":"))
                    .map(l -> l.replaceAll("[^0-9]", "")).mapToLong(Long::parseLong).findFirst().orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    static long rssKib() {
        return status("VmRSS");
    }

    static long threads() {
        return status("Threads");
    }

    /**
     * The descriptors this JVM keeps: those open, to the same target, in two listings 50 ms apart. One that
     * some thread holds for an instant (the JVM's own, seen once in a count after 500 containers and gone
     * from the listing made right after) is not a leak; a leaked one is in both.
     */
    static long descriptors() {
        Map<String, String> first = descriptorsByNumber();
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<String, String> second = descriptorsByNumber();
        return first.entrySet().stream().filter(e -> e.getValue().equals(second.get(e.getKey()))).count();
    }

    private static Map<String, String> descriptorsByNumber() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            Map<String, String> targets = new HashMap<>();
            fds.forEach(fd -> targets.put(fd.getFileName().toString(), target(fd)));
            return targets;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc/self/fd", e);
        }
    }

    /** What this JVM's descriptors refer to (the targets of /proc/self/fd), sorted: to name a leak's kind. */
    static java.util.List<String> descriptorTargets() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(Memory::target).filter(t -> !t.isEmpty()).sorted().toList();
        } catch (IOException e) {
            return java.util.List.of();
        }
    }

    /** This JVM's sockets, by inode (socket:[N] links in /proc/self/fd): a listener left open shows here. */
    static long sockets() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(Memory::target).filter(t -> t.startsWith("socket:")).count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static String target(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException gone) {
            return "";
        }
    }

    /** A snapshot for a report line. */
    record Snapshot(long heapBytes, long residentKib, long fds, long socketFds, long threadCount) {
        static Snapshot now() {
            return new Snapshot(heapAfterGc(), rssKib(), descriptors(), sockets(), threads());
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "heap %.1f MiB, RSS %.1f MiB, %d fds (%d sockets), %d threads",
                    heapBytes / 1048576.0, residentKib / 1024.0, fds, socketFds, threadCount);
        }
    }
}
