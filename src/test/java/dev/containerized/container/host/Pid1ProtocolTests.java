package dev.containerized.container.host;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The C header of PID 1's protocol and its Java mirror say the same numbers. */
class Pid1ProtocolTests {
    private static final Path HEADER = Path.of("src/main/c/init/protocol.h");
    /** {@code #define CZ_NAME value}, with an optional comment after it. */
    private static final Pattern DEFINE = Pattern.compile("^#define CZ_(\\w+)\\s+(\\(?[0-9a-fA-Fxu <]+\\)?)\\s*(/\\*.*)?$");
    /** In the header only: the Java side never checks the payload bound, PID 1 does. */
    private static final Set<String> C_ONLY = Set.of("MAX_PAYLOAD");
    /** In Java only: the size of struct cz_header. */
    private static final Set<String> JAVA_ONLY = Set.of("HEADER");

    @Test
    void everyConstantOfTheHeaderHasTheSameValueInJavaAndNoneIsMissing() throws Exception {
        Map<String, Long> c = headerConstants();
        Map<String, Long> java = javaConstants();
        C_ONLY.forEach(c::remove);
        JAVA_ONLY.forEach(java::remove);
        assertThat(c).as("constants of " + HEADER).hasSizeGreaterThan(25).containsKeys("CONFIG", "STEP_CGROUPFS", "MAX_FDS");
        assertThat(java).isEqualTo(c);
    }

    private static Map<String, Long> headerConstants() throws Exception {
        Map<String, Long> constants = new TreeMap<>();
        for (String line : Files.readAllLines(HEADER)) {
            Matcher m = DEFINE.matcher(line.strip());
            if (m.matches()) {
                constants.put(m.group(1), value(m.group(2)));
            }
        }
        return constants;
    }

    /** The literals the header uses: decimal, hex, an unsigned suffix, one shift in parentheses. */
    private static long value(String literal) {
        String s = literal.replace("(", "").replace(")", "").replace("u", "").strip();
        if (s.contains("<<")) {
            String[] parts = s.split("<<");
            return value(parts[0]) << value(parts[1]);
        }
        return s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
    }

    private static Map<String, Long> javaConstants() throws IllegalAccessException {
        Map<String, Long> constants = new TreeMap<>();
        for (Field field : Pid1Protocol.class.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isStatic(modifiers) && Modifier.isFinal(modifiers) && field.getType() == int.class) {
                field.setAccessible(true);
                // Unsigned in C: KEEP_ID is 0xffffffff there and -1 in a Java int.
                constants.put(field.getName(), Integer.toUnsignedLong(field.getInt(null)));
            }
        }
        return constants;
    }
}
