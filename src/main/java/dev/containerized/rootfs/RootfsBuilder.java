package dev.containerized.rootfs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Builds a rootfs tree from a {@link Recipe} and the host's programs. */
final class RootfsBuilder {
    private static final int PT_INTERP = 3;

    private RootfsBuilder() {
    }

    static void build(Recipe recipe, Path root) throws IOException {
        for (String dir : recipe.directories()) {
            Files.createDirectories(inside(root, dir));
        }
        for (Map.Entry<String, String> file : recipe.files().entrySet()) {
            Path target = inside(root, file.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue() + "\n");
        }
        Optional<Path> busybox = staticBusybox(recipe);
        List<String> programs = programsToCopy(recipe, busybox.isPresent());
        for (String program : programs) {
            Path host = findOnHost(program).orElseThrow(() -> new IllegalStateException("the rootfs recipe needs the host program '"
                    + program + "', which is not on this host's PATH; install it, or busybox-static (apt-get install busybox-static)"));
            copyWithLibraries(host, root.resolve("bin").resolve(program), root);
        }
        if (busybox.isPresent()) {
            Path target = root.resolve("bin/busybox");
            Files.copy(busybox.get(), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            for (String applet : applets(busybox.get())) {
                Path link = root.resolve("bin").resolve(applet);
                if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(link, Path.of("busybox"));
                }
            }
        }
        if (!Files.exists(root.resolve("bin/sh"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException("the built rootfs has no /bin/sh: the recipe needs a static busybox or 'sh'");
        }
    }

    static List<String> programsToCopy(Recipe recipe, boolean haveBusybox) {
        List<String> programs = new ArrayList<>(recipe.programs());
        if (!haveBusybox) {
            programs.addAll(recipe.fallbacks());
        }
        return programs;
    }

    /** The first candidate that exists and is statically linked (an ELF file with no PT_INTERP). */
    static Optional<Path> staticBusybox(Recipe recipe) {
        return recipe.busyboxCandidates().stream().map(Path::of)
                .filter(Files::isRegularFile).filter(RootfsBuilder::isStaticElf).findFirst();
    }

    static Optional<Path> findOnHost(String program) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin:/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Copies a program and every shared library ldd names for it, each to the same path in the rootfs. */
    private static void copyWithLibraries(Path program, Path target, Path root) throws IOException {
        Files.createDirectories(target.getParent());
        Files.copy(program, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        if (isStaticElf(program)) {
            return;
        }
        for (Path library : sharedLibraries(program)) {
            Path copy = inside(root, library.toString());
            if (!Files.exists(copy)) {
                Files.createDirectories(copy.getParent());
                Files.copy(library, copy, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    /** The absolute library paths in ldd's output: "libc.so.6 => /lib/.../libc.so.6 (0x…)" and the loader's line. */
    static Set<Path> sharedLibraries(Path program) {
        Set<Path> libraries = new LinkedHashSet<>();
        for (String line : run("ldd", program.toString()).split("\n")) {
            String s = line.strip();
            int arrow = s.indexOf("=> ");
            String candidate = arrow >= 0 ? s.substring(arrow + 3) : s;
            int paren = candidate.indexOf(" (");
            candidate = paren >= 0 ? candidate.substring(0, paren) : candidate;
            if (candidate.startsWith("/")) {
                libraries.add(Path.of(candidate.strip()));
            }
        }
        return libraries;
    }

    private static List<String> applets(Path busybox) {
        List<String> applets = new ArrayList<>();
        for (String name : run(busybox.toString(), "--list").split("\n")) {
            if (!name.isBlank() && !name.contains("/")) {
                applets.add(name.strip());
            }
        }
        return applets;
    }

    static boolean isStaticElf(Path file) {
        try (RandomAccessFile elf = new RandomAccessFile(file.toFile(), "r")) {
            byte[] header = new byte[64];
            if (elf.read(header) < 64 || header[0] != 0x7f || header[1] != 'E' || header[2] != 'L' || header[3] != 'F'
                    || header[4] != 2) { // ELFCLASS64
                return false;
            }
            ByteBuffer h = ByteBuffer.wrap(header).order(header[5] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            long phoff = h.getLong(32);
            int phentsize = Short.toUnsignedInt(h.getShort(54));
            int phnum = Short.toUnsignedInt(h.getShort(56));
            byte[] entry = new byte[4];
            for (int i = 0; i < phnum; i++) {
                elf.seek(phoff + (long) i * phentsize);
                elf.readFully(entry);
                if (ByteBuffer.wrap(entry).order(h.order()).getInt(0) == PT_INTERP) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path inside(Path root, String absolute) {
        return root.resolve(absolute.replaceFirst("^/+", ""));
    }

    private static String run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 30 s");
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
