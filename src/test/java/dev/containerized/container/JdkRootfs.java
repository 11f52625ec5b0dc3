package dev.containerized.container;

import dev.containerized.rootfs.DefaultRootfs;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A root filesystem with a JDK in it, for tests of what a JVM inside a container sees: the built-in
 * rootfs (busybox, bash) plus the JDK that runs the tests, at the same path, with the shared libraries
 * {@code ldd} names for its launcher and libraries, and {@code /probe/Probe.class}, which prints what
 * the JVM thinks it has. Built once into {@code target/} (hard links where the filesystem allows,
 * copies elsewhere) and reused while the JDK and the built-in rootfs stay the same.
 */
final class JdkRootfs {
    /** Bumped when the way the tree is built changes. */
    private static final int VERSION = 1;
    /** What a JVM never needs to start and run a class: sources, headers, jmods, manuals. */
    private static final Set<String> SKIPPED = Set.of("jmods", "include", "man", "legal", "docs", "demo", "lib/src.zip",
            "lib/ct.sym");
    static final String PROBE = """
            public class Probe {
                public static void main(String[] args) {
                    System.out.println("availableProcessors=" + Runtime.getRuntime().availableProcessors());
                    System.out.println("maxMemory=" + Runtime.getRuntime().maxMemory());
                }
            }
            """;

    private JdkRootfs() {
    }

    private static Path built;

    /** The JDK's home, as the container sees it: the same path as on the host. */
    static Path javaHome() {
        try {
            return Path.of(System.getProperty("java.home")).toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tree, built first when target/ has none for this JDK. */
    static synchronized Path path() {
        if (built != null) {
            return built;
        }
        Path base = DefaultRootfs.path();
        Path target = Path.of("target").toAbsolutePath().resolve("jdk-rootfs-" + fingerprint(base));
        if (!Files.isDirectory(target)) {
            Path temp = null;
            try {
                Files.createDirectories(target.getParent());
                temp = Files.createTempDirectory(target.getParent(), target.getFileName() + ".building-");
                build(base, temp);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException raced) {
                // Another JVM built it first.
            } catch (IOException e) {
                throw new UncheckedIOException("cannot build the JDK test rootfs in " + target + ": " + e, e);
            } finally {
                deleteQuietly(temp);
            }
        }
        built = target;
        return built;
    }

    private static void build(Path base, Path root) throws IOException {
        copyTree(base, root, Set.of());
        Path home = javaHome();
        copyTree(home, inside(root, home), SKIPPED);
        List<Path> binaries = new ArrayList<>(List.of(home.resolve("bin/java")));
        try (Stream<Path> walk = Files.walk(home.resolve("lib"))) {
            walk.filter(p -> p.getFileName().toString().endsWith(".so")).forEach(binaries::add);
        }
        Set<Path> libraries = new LinkedHashSet<>();
        for (Path binary : binaries) {
            libraries.addAll(sharedLibraries(binary));
        }
        for (Path library : libraries) {
            Path copy = inside(root, library);
            if (!library.startsWith(home) && !Files.exists(copy, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(copy.getParent());
                linkOrCopy(library.toRealPath(), copy);
            }
        }
        compileProbe(root.resolve("probe"));
    }

    /**
     * Copies a tree: directories made, files hard-linked (or copied), symlinks kept when they stay
     * inside the tree and replaced by their target's content when they point out of it (Debian's JDK
     * links its configuration to /etc).
     */
    private static void copyTree(Path from, Path to, Set<String> skipped) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                String relative = from.relativize(source).toString();
                if (skipped.stream().anyMatch(s -> relative.equals(s) || relative.startsWith(s + "/"))) {
                    continue;
                }
                Path target = to.resolve(relative);
                if (Files.isSymbolicLink(source)) {
                    Path link = Files.readSymbolicLink(source);
                    Files.createDirectories(target.getParent());
                    if (!link.isAbsolute() && source.getParent().resolve(link).normalize().startsWith(from)) {
                        Files.createSymbolicLink(target, link);
                    } else if (Files.isRegularFile(source)) {
                        linkOrCopy(source.toRealPath(), target);
                    }
                } else if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else if (Files.isRegularFile(source)) {
                    Files.createDirectories(target.getParent());
                    linkOrCopy(source, target);
                }
            }
        }
    }

    private static void linkOrCopy(Path source, Path target) throws IOException {
        try {
            Files.createLink(target, source);
        } catch (IOException | UnsupportedOperationException crossDevice) {
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    private static void compileProbe(Path directory) throws IOException {
        Files.createDirectories(directory);
        Path source = directory.resolve("Probe.java");
        Files.writeString(source, PROBE);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null || javac.run(null, null, null, "-d", directory.toString(), source.toString()) != 0) {
            throw new IllegalStateException("cannot compile " + source + ": the tests need a JDK, not a JRE");
        }
    }

    /** The absolute paths in ldd's output ("libz.so.1 => /lib/.../libz.so.1 (0x…)"); "not found" ones are left out. */
    private static Set<Path> sharedLibraries(Path binary) {
        Set<Path> libraries = new LinkedHashSet<>();
        for (String line : run("ldd", binary.toString()).split("\n")) {
            String s = line.strip();
            int arrow = s.indexOf("=> ");
            String candidate = arrow >= 0 ? s.substring(arrow + 3) : s;
            int paren = candidate.indexOf(" (");
            candidate = (paren >= 0 ? candidate.substring(0, paren) : candidate).strip();
            if (candidate.startsWith("/")) {
                libraries.add(Path.of(candidate).normalize());
            }
        }
        return libraries;
    }

    /** The JDK's identity and the built-in rootfs's (its directory is named after its own fingerprint). */
    private static String fingerprint(Path base) {
        try {
            Path home = javaHome();
            Path libjvm = home.resolve("lib/server/libjvm.so");
            String identity = VERSION + "\n" + home + "\n" + Files.size(libjvm) + " " + Files.getLastModifiedTime(libjvm)
                    + "\n" + base.getFileName() + "\n" + PROBE;
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot fingerprint the JDK at " + javaHome() + ": " + e, e);
        }
    }

    private static Path inside(Path root, Path absolute) {
        return root.resolve(absolute.toString().replaceFirst("^/+", ""));
    }

    private static String run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 60 s");
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A half-built temp directory is harmless; the next build uses a new one.
        }
    }
}
