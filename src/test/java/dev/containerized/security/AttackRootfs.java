package dev.containerized.security;

import dev.containerized.rootfs.DefaultRootfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Root filesystems for the escape suite, built by the tests in their own temporary directories: a copy
 * of the built-in rootfs with {@code /bin/attack} (src/test/c/attack.c, compiled static here), and
 * variants of it. Nothing here touches a file the tests did not make.
 */
final class AttackRootfs {
    static final Path SOURCE = Path.of("src/test/c/attack.c");

    private AttackRootfs() {
    }

    /** Compiles the attack helper and returns a rootfs under {@code dir} that holds it as /bin/attack. */
    static Path build(Path dir) throws IOException, InterruptedException {
        Path binary = dir.resolve("attack");
        run("gcc", "-static", "-O2", "-Wall", "-Werror", "-o", binary.toString(), SOURCE.toAbsolutePath().toString());
        Path rootfs = copyOf(DefaultRootfs.path(), dir.resolve("rootfs"));
        Files.copy(binary, rootfs.resolve("bin/attack"), StandardCopyOption.COPY_ATTRIBUTES);
        return rootfs;
    }

    /** A copy of {@code rootfs} at {@code target}, links, modes and owners kept. */
    static Path copyOf(Path rootfs, Path target) throws IOException, InterruptedException {
        run("cp", "-a", rootfs.toString(), target.toString());
        return target;
    }

    /**
     * Adds the JDK this test runs on to {@code rootfs} at the same path, with the libraries its programs
     * load: hard links where the filesystems allow (instant, and the overlay never writes to a lower
     * layer), else copies.
     */
    static Path addThisJdk(Path rootfs) throws IOException, InterruptedException {
        Path javaHome = Path.of(System.getProperty("java.home")).toRealPath();
        Path inside = rootfs.resolve(javaHome.toString().substring(1));
        Files.createDirectories(inside.getParent());
        if (tryRun("cp", "-al", javaHome.toString(), inside.getParent().toString()) != 0) {
            run("cp", "-a", javaHome.toString(), inside.getParent().toString());
        }
        // Debian's JDK links its conf/ into /etc.
        Path etc = Path.of("/etc/java-" + Runtime.version().feature() + "-openjdk");
        if (Files.isDirectory(etc)) {
            run("cp", "-a", etc.toString(), rootfs.resolve("etc").toString());
        }
        List<String> ldd = new ArrayList<>(List.of("ldd", javaHome.resolve("bin/java").toString(),
                javaHome.resolve("lib/server/libjvm.so").toString()));
        for (String library : List.of("libjava.so", "libjimage.so", "libzip.so", "libnio.so", "libnet.so", "libverify.so", "libjli.so")) {
            if (Files.exists(javaHome.resolve("lib").resolve(library))) {
                ldd.add(javaHome.resolve("lib").resolve(library).toString());
            }
        }
        for (String line : output(ldd).split("\n")) {
            String library = line.contains("=> /") ? line.substring(line.indexOf("=> ") + 3).split(" ")[0]
                    : line.strip().startsWith("/") ? line.strip().split(" ")[0] : null;
            if (library != null && !library.startsWith(javaHome.toString())) {
                Path copy = rootfs.resolve(library.substring(1));
                Files.createDirectories(copy.getParent());
                Files.copy(Path.of(library), copy, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return inside.resolve("bin/java");
    }

    static void run(String... command) throws IOException, InterruptedException {
        int status = tryRun(command);
        if (status != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + status);
        }
    }

    private static int tryRun(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within 120 s");
        }
        return process.exitValue();
    }

    private static String output(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(60, TimeUnit.SECONDS);
        return text;
    }
}
