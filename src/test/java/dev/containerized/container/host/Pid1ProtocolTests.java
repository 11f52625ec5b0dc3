package dev.containerized.container.host;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Pid1Protocol's numbers are protocol.h's: the C side and the Java side must never drift apart. */
class Pid1ProtocolTests {
    private static final Pattern DEFINE = Pattern.compile("^#define CZ_(\\w+) \\(?(0x[0-9a-fA-F]+|\\d+)u?(?: << (\\d+))?\\)?", Pattern.MULTILINE);

    @Test
    void everyConstantOfProtocolHWithAJavaTwinHasTheSameValue() throws Exception {
        String header = Files.readString(Path.of("src/main/c/init/protocol.h"));
        Map<String, Long> c = new TreeMap<>();
        Matcher m = DEFINE.matcher(header);
        while (m.find()) {
            long value = Long.decode(m.group(2));
            c.put(m.group(1), m.group(3) == null ? value : value << Integer.parseInt(m.group(3)));
        }
        Map<String, Long> java = new TreeMap<>();
        for (Field f : Pid1Protocol.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class && c.containsKey(f.getName())) {
                f.setAccessible(true);
                java.put(f.getName(), Integer.toUnsignedLong(f.getInt(null)));
            }
        }
        assertThat(java).hasSizeGreaterThan(25).containsKey("MAX_PAYLOAD");
        java.forEach((name, value) -> assertThat(value).as("CZ_" + name).isEqualTo(c.get(name)));
    }
}
