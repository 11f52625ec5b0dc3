package dev.containerized.rootfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The built-in root filesystem: built from the host's programs as {@code rootfs/default.recipe} says,
 * with no download, and kept in the cache under a name that changes when the recipe or the host
 * programs it uses change.
 */
public final class DefaultRootfs {
    static final String RECIPE = "/dev/containerized/rootfs/default.recipe";
    /** Bumped when the way a recipe is built changes. */
    private static final int BUILDER_VERSION = 1;

    private DefaultRootfs() {
    }

    /**
     * The tree found or built last, so that each container start does not hash the recipe and look at
     * the host's programs again; a JVM's lifetime is short next to a host upgrade.
     */
    private static Path known;

    /** The built tree, built first if the cache has none for this recipe and host. */
    public static synchronized Path path() {
        if (known != null && known.startsWith(Cache.directory()) && Files.isDirectory(known)) {
            return known;
        }
        known = findOrBuild();
        return known;
    }

    private static Path findOrBuild() {
        Recipe recipe = Recipe.parse(readRecipe());
        Path target = Cache.directory().resolve("rootfs").resolve("default-" + fingerprint(recipe));
        if (Files.isDirectory(target)) {
            return target;
        }
        try {
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempDirectory(target.getParent(), target.getFileName() + ".building-");
            try {
                RootfsBuilder.build(recipe, temp);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException raced) {
                // Another JVM built it first: theirs is as good as ours.
            } finally {
                deleteQuietly(temp);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the built-in rootfs in " + target + ": " + e.getMessage(), e);
        }
    }

    static String readRecipe() {
        try (InputStream in = DefaultRootfs.class.getResourceAsStream(RECIPE)) {
            if (in == null) {
                throw new IllegalStateException("the rootfs recipe " + RECIPE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The recipe's text and the identity (path, size, time) of each host file it would take. */
    static String fingerprint(Recipe recipe) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((BUILDER_VERSION + "\n" + recipe.text()).getBytes(StandardCharsets.UTF_8));
            List<Path> inputs = new ArrayList<>();
            Optional<Path> busybox = RootfsBuilder.staticBusybox(recipe);
            busybox.ifPresent(inputs::add);
            for (String program : RootfsBuilder.programsToCopy(recipe, busybox.isPresent())) {
                RootfsBuilder.findOnHost(program).ifPresent(inputs::add);
            }
            for (Path input : inputs) {
                digest.update((input + " " + Files.size(input) + " " + Files.getLastModifiedTime(input) + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 6);
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException("cannot fingerprint the rootfs recipe: " + e, e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A half-built temp directory is harmless; the next build uses a new one.
        }
    }
}
