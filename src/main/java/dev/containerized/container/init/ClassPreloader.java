package dev.containerized.container.init;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * After pivot_root the init cannot read a host file by name. Classes in jars are still readable (the
 * class loader keeps each jar open), but classes in a directory (target/classes in a build) are read
 * one file at a time: load all of the runtime's now.
 */
final class ClassPreloader {
    private static final List<String> PACKAGES = List.of("dev/containerized/container", "dev/containerized/internal");

    private static boolean loaded;

    private ClassPreloader() {
    }

    static void loadAll() throws IOException, URISyntaxException {
        if (loaded) {
            return;
        }
        loaded = true;
        Path root = Path.of(ClassPreloader.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isDirectory(root)) {
            return;
        }
        ClassLoader loader = ClassPreloader.class.getClassLoader();
        for (String pkg : PACKAGES) {
            Path dir = root.resolve(pkg);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    String name = root.relativize(file).toString();
                    if (name.endsWith(".class")) {
                        try {
                            Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
                        } catch (ClassNotFoundException | LinkageError unused) {
                            // A class the init never uses (it needs a library the init lacks).
                        }
                    }
                }
            }
        }
    }
}
