package dev.containerized.container;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A test JVM in the C locale (LANG unset, as in many CI images): on Java 17 its default charset is then
 * US-ASCII, and every string handed to a system call as the JVM's default would turn "ö" into "?".
 * Names, mount targets and copy targets go to the kernel as UTF-8 whatever the locale.
 */
class PosixLocaleTests {
    @TempDir
    Path dir;

    @Test
    void namesBeyondAsciiKeepTheirBytesInTheCLocale() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Path file = Files.writeString(dir.resolve("file"), "content");
        Path out = Files.createDirectories(dir.resolve("out"));
        // Made by the shell: in the C locale this JVM's own paths could not even name it.
        Process made = new ProcessBuilder("sh", "-c", "printf inside > \"$1/$(printf 'gr\\303\\266\\303\\237e')\"", "sh",
                tree.toString()).start();
        assertThat(made.waitFor()).isZero();

        ProcessBuilder jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), InTheCLocale.class.getName(), tree.toString(), file.toString(),
                out.toString());
        Map<String, String> env = jvm.environment();
        env.keySet().removeIf(name -> name.startsWith("LC_") || name.equals("LANG") || name.equals("LANGUAGE"));
        env.put("LC_ALL", "C");
        System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith("containerized."))
                .forEach(name -> jvm.command().add(1, "-D" + name + "=" + System.getProperty(name)));
        Process child = jvm.redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(child.waitFor()).as(output).isZero();

        // The shell's globs list names as their bytes (ls would show "?"); bytes beyond ASCII printed as octal escapes: "ä" is \303\244 in UTF-8, "ö" \303\266, "ß" \303\237.
        assertThat(output).contains("charset US-ASCII")
                .contains("mounted: gr\\303\\266\\303\\237e\n")
                .contains("copied: gr\\303\\266\\303\\237e\n")
                .containsPattern("root: (.* )?\\\\303\\\\244t\\\\303\\\\244( |\n)")
                .containsPattern("root: (.* )?d\\\\303\\\\244t\\\\303\\\\244( |\n)");
        // And out, into a host directory: the name as the container has it.
        assertThat(new String(Files.list(out).findFirst().orElseThrow().getFileName().toString().getBytes(StandardCharsets.UTF_8),
                StandardCharsets.UTF_8)).isEqualTo("\u00e4t\u00e4");
    }

    /** In a JVM of the C locale: mounts the tree at /dätä, copies it to /copied and the file to /ätä, lists them by bytes. */
    public static final class InTheCLocale {
        public static void main(String[] args) {
            System.out.println("charset " + java.nio.charset.Charset.defaultCharset());
            try (Container c = Container.start(ContainerSpec.builder().mount(Mount.bind(Path.of(args[0]), "/d\u00e4t\u00e4")).build())) {
                c.copyTo(Path.of(args[0]), "/copied");
                c.copyTo(Path.of(args[1]), "/\u00e4t\u00e4");
                c.copyFrom("/\u00e4t\u00e4", Path.of(args[2])); // into the directory: its name is not the JVM's to make
                ExecResult listed = c.exec(Exec.of("sh", "-c", "cd / && echo root: *; cd /copied && echo copied: *; "
                        + "cd /d*t* && echo mounted: *").outputCharset(StandardCharsets.ISO_8859_1));
                StringBuilder escaped = new StringBuilder();
                listed.stdout().chars().forEach(ch -> escaped.append(ch < 128 ? Character.toString(ch) : "\\" + Integer.toOctalString(ch)));
                System.out.println(escaped);
                if (!listed.succeeded()) {
                    System.out.println(listed.describe());
                    System.exit(1);
                }
            }
        }
    }
}
