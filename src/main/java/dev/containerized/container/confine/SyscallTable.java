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
    private static final Map<Architecture, SyscallTable> TABLES = new EnumMap<>(Architecture.class);

    static {
        for (Architecture arch : Architecture.values()) {
            TABLES.put(arch, load(arch));
        }
    }

    private final Architecture arch;
    private final Map<String, Integer> numbers;

    private SyscallTable(Architecture arch, Map<String, Integer> numbers) {
        this.arch = arch;
        this.numbers = Map.copyOf(numbers);
    }

    static SyscallTable of(Architecture arch) {
        return TABLES.get(arch);
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
        String resource = "syscalls-" + arch.machine() + ".tsv";
        try (InputStream in = SyscallTable.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the syscall table " + resource + " is missing from the classpath: "
                        + "run tools/seccomp/generate-syscall-tables.sh and rebuild");
            }
            return new SyscallTable(arch, parse(resource, new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the syscall table " + resource, e);
        }
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
            if (fields.length != 2 || !fields[1].matches("\\d+")) {
                throw new IllegalStateException(resource + " line " + lineNumber + " is not \"name<TAB>number\": " + line);
            }
            numbers.put(fields[0], Integer.parseInt(fields[1]));
        }
        return numbers;
    }
}
