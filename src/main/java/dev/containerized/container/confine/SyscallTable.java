package dev.containerized.container.confine;

import dev.containerized.internal.linux.Architecture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * System call names to numbers for one architecture, read from the tables that
 * tools/seccomp/generate-syscall-tables.sh writes from kernel headers.
 */
final class SyscallTable {
    /** Each read on first use: a JVM compiles for its own architecture only (and often not at all). */
    private static final Map<Architecture, SyscallTable> TABLES = new EnumMap<>(Architecture.class);

    private final Architecture arch;
    private final Map<String, Integer> numbers;

    private SyscallTable(Architecture arch, Map<String, Integer> numbers) {
        this.arch = arch;
        this.numbers = Map.copyOf(numbers);
    }

    static SyscallTable of(Architecture arch) {
        synchronized (TABLES) {
            return TABLES.computeIfAbsent(arch, SyscallTable::load);
        }
    }

    /** The table's file as it is on the classpath, for a fingerprint of what a filter was compiled from. */
    static byte[] resourceBytes(Architecture arch) {
        try (InputStream in = open(arch)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the syscall table " + resourceName(arch), e);
        }
    }

    /** Empty when the call does not exist on this architecture (Docker's profile names 32-bit calls too). */
    OptionalInt number(String name) {
        Integer number = numbers.get(name);
        return number == null ? OptionalInt.empty() : OptionalInt.of(number);
    }

    /** For tests and messages: the number of a call that must exist. */
    int require(String name) {
        return number(name).orElseThrow(() -> new IllegalArgumentException(
                "no system call \"" + name + "\" on " + arch.machine()));
    }

    int size() {
        return numbers.size();
    }

    private static SyscallTable load(Architecture arch) {
        String resource = resourceName(arch);
        try (InputStream in = open(arch)) {
            return new SyscallTable(arch, parse(resource, new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the syscall table " + resource, e);
        }
    }

    private static InputStream open(Architecture arch) {
        InputStream in = SyscallTable.class.getResourceAsStream(resourceName(arch));
        if (in == null) {
            throw new IllegalStateException("the syscall table " + resourceName(arch) + " is missing from the classpath: "
                    + "run tools/seccomp/generate-syscall-tables.sh and rebuild");
        }
        return in;
    }

    private static String resourceName(Architecture arch) {
        return "syscalls-" + arch.machine() + ".tsv";
    }

    private static Map<String, Integer> parse(String resource, BufferedReader lines) throws IOException {
        Map<String, Integer> numbers = new HashMap<>();
        String line;
        int lineNumber = 0;
        while ((line = lines.readLine()) != null) {
            lineNumber++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\t");
            if (fields.length != 2 || fields[1].isEmpty() || !fields[1].chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalStateException(resource + " line " + lineNumber + " is not \"name<TAB>number\": " + line);
            }
            numbers.put(fields[0], Integer.parseInt(fields[1]));
        }
        return numbers;
    }
}
