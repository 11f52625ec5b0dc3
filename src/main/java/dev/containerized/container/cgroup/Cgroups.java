package dev.containerized.container.cgroup;

import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.linux.Unistd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.StringTokenizer;

/** Helpers shared by both drivers: kill what a cgroup holds, wait for it to empty, rmdir it. */
final class Cgroups {
    private Cgroups() {
    }

    /** The pids in {@code dir}/cgroup.procs, as the test JVM's pid namespace sees them. */
    static List<Integer> processes(Path dir) {
        try {
            return Files.readAllLines(dir.resolve("cgroup.procs")).stream()
                    .map(String::trim).filter(s -> !s.isEmpty()).map(Integer::valueOf).toList();
        } catch (IOException gone) {
            // NoSuchFileException: the cgroup was removed meanwhile; either way it holds nothing we can see.
            return List.of();
        }
    }

    /**
     * Kills every process in the cgroup (v2: with cgroup.kill when the kernel has it) until it is empty,
     * then removes it. A fork bomb may fork between our reading and our killing: so we loop.
     */
    static void killAndRemove(Path dir, Duration timeout) {
        if (removedAtOnce(dir)) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Path kill = dir.resolve("cgroup.kill");
        while (Files.isDirectory(dir)) {
            List<Integer> pids = processes(dir);
            if (pids.isEmpty()) {
                try {
                    Unistd.rmdir(dir.toString());
                    return;
                } catch (LinuxException e) {
                    if (e.errno() == Errno.ENOENT) {
                        return;
                    }
                    if (e.errno() != Errno.EBUSY) {
                        // EROFS, EACCES: no retry helps. The empty cgroup stays for a later sweep.
                        throw new IllegalStateException("cannot remove cgroup " + dir + ": " + e.getMessage()
                                + "; it is empty and stays until the first container start of a later run, a minute from now", e);
                    }
                    // EBUSY: a task is still exiting; try again below.
                }
            } else if (Files.exists(kill)) {
                try {
                    Files.writeString(kill, "1");
                } catch (IOException ignored) {
                    // Fall back to killing one by one.
                }
            } else {
                pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("cgroup " + dir + " is still not empty after " + timeout.toMillis()
                        + " ms; processes left: " + processes(dir));
            }
            sleep(2);
        }
    }

    /**
     * The usual case at a container's close, in one call: its processes are gone, and rmdir(2) removes
     * the cgroup (or finds it gone). Any other answer (EBUSY: a process is still in it or exiting) is
     * for the loop of {@link #killAndRemove}, which gives the errors their words.
     */
    private static boolean removedAtOnce(Path dir) {
        try {
            Unistd.rmdir(dir.toString());
            return true;
        } catch (LinuxException e) {
            return e.errno() == Errno.ENOENT;
        }
    }

    /**
     * Removes the empty child cgroups of {@code parent} older than {@code minimumAge}; rmdir(2) itself
     * refuses one that holds a process or a cgroup, so a race with a new container only costs a retry.
     */
    static int removeEmptyChildren(Path parent, Duration minimumAge) {
        if (!Files.isDirectory(parent)) {
            return 0;
        }
        int removed = 0;
        java.time.Instant cutoff = java.time.Instant.now().minus(minimumAge);
        try (java.util.stream.Stream<Path> children = Files.list(parent)) {
            for (Path child : children.filter(Files::isDirectory).toList()) {
                try {
                    if (processes(child).isEmpty() && Files.getLastModifiedTime(child).toInstant().isBefore(cutoff)) {
                        Files.delete(child);
                        removed++;
                    }
                } catch (IOException busyOrGone) {
                    // EBUSY: it has a process or a child cgroup after all; ENOENT: someone removed it.
                }
            }
        } catch (IOException e) {
            // The parent went away meanwhile: nothing of ours to remove.
        }
        return removed;
    }

    /** A file's text without the surrounding whitespace; a failure to read it says which file. */
    static String readStripped(Path file) {
        try {
            return readText(file).strip();
        } catch (LinuxException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** A single-value file such as pids.current ("max" reads as Long.MAX_VALUE), or -1 when absent. */
    static long readLong(Path file) {
        try {
            String text = readText(file).trim();
            return text.equals("max") ? Long.MAX_VALUE : Long.parseLong(text);
        } catch (LinuxException | NumberFormatException e) {
            return -1;
        }
    }

    /** The value of {@code key} in a flat keyed file such as pids.events ("max 3"): 0 when not listed, -1 when absent. */
    static long readKeyed(Path file, String key) {
        try {
            for (String line : readText(file).split("\n")) {
                StringTokenizer words = new StringTokenizer(line); // split at whitespace, with no regex to compile
                if (words.countTokens() == 2 && words.nextToken().equals(key)) {
                    return Long.parseLong(words.nextToken());
                }
            }
            return 0;
        } catch (LinuxException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * A cgroup file's text, by read(2) until end of file: a container's close reads seven of them for
     * its last figures, and java.nio's layers (a channel, buffers, a decoder) cost more than the reads.
     */
    private static String readText(Path file) {
        try (Fd fd = Fcntl.open(file.toString(), Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0)) {
            return new String(Unistd.readAll(fd.number()), StandardCharsets.US_ASCII);
        }
    }

    static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write \"" + value + "\" to " + file + ": " + e.getMessage(), e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
