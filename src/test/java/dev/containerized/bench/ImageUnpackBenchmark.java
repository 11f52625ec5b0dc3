package dev.containerized.bench;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.ExecResult;
import dev.containerized.internal.json.Json;
import dev.containerized.rootfs.DefaultRootfs;
import dev.containerized.rootfs.ImageReference;
import dev.containerized.rootfs.Images;
import dev.containerized.rootfs.ResolvedImage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * How fast an image is unpacked into the layer cache, against GNU {@code tar -xzf} of the same layer
 * blobs into fresh directories, both measured in the same run on the same machine (a median of N
 * runs each, after one warm-up run; absolute times are noisy, the ratio is what to compare).
 * <p>
 * Two images, built with umoci once per run: "binaries" (about 30 MB unpacked, three layers: host
 * binaries, host shared libraries, the small files of /usr/share/zoneinfo plus a second copy of the
 * binaries) and "small files" (one layer of 20,000 files of a few dozen bytes: the cost per file).
 * Then the start of a container on an image already in the cache (the built-in rootfs as an image of
 * two layers) against a container on the built-in rootfs directory itself, interleaved.
 * Needs root, umoci and GNU tar. Not a test: it asserts nothing and CI does not run it.
 * <pre>
 * mvn -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt \
 *   &amp;&amp; java -cp target/classes:target/test-classes:$(cat target/test-classpath.txt) dev.containerized.bench.ImageUnpackBenchmark 7 [DIR]
 * </pre>
 * DIR (default: java.io.tmpdir) is where the image, the caches and tar's directories go.
 */
public final class ImageUnpackBenchmark {
    private static final long LAYER_BYTES = 12L << 20;

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        // A second argument puts everything on another file system, such as a tmpfs (/dev/shm) to leave the disk out.
        Path work = args.length > 1 ? Files.createTempDirectory(Path.of(args[1]), "image-unpack-bench-")
                : Files.createTempDirectory("image-unpack-bench-");
        try {
            System.out.printf(Locale.ROOT, "in %s, median of %d runs each%n", work, runs);
            measure("binaries", buildImage(work, "binaries"), work, runs);
            measure("small files", buildSmallFilesImage(work, "small"), work, runs);
            // Its image and rootfs in a cache of this run's, removed with the rest.
            System.setProperty("containerized.cacheDir", work.resolve("start-cache").toString());
            measureStart(buildBuiltInImage(work, "built-in"), runs);
        } finally {
            run(List.of("rm", "-rf", work.toString()));
        }
    }

    private static void measure(String title, Path layout, Path work, int runs) throws Exception {
        List<Path> blobs = layerBlobs(layout);
        long blobBytes = 0;
        for (Path blob : blobs) {
            blobBytes += Files.size(blob);
        }
        ImageReference reference = ImageReference.parse("oci:" + layout);

        timeResolve(work, reference); // warm-up: JIT, JNA, page cache of the blobs
        timeTar(work, blobs);
        List<Long> ours = new ArrayList<>();
        List<Long> tar = new ArrayList<>();
        for (int i = 0; i < runs; i++) { // interleaved, so that a noisy moment hits both
            ours.add(timeResolve(work, reference));
            tar.add(timeTar(work, blobs));
        }
        Path cache = work.resolve("cache-cached-" + title.replace(' ', '-'));
        ResolvedImage image = Images.resolve(reference, work, cache);
        List<Long> cached = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            Images.resolve(reference, work, cache);
            cached.add(System.nanoTime() - t0);
        }
        System.out.printf(Locale.ROOT, "%n%s: %d layers, %.1f MB of gzip blobs, %.1f MB unpacked, %d files%n", title,
                blobs.size(), blobBytes / 1e6, treeBytes(image) / 1e6, fileCount(image));
        System.out.printf(Locale.ROOT, "  %-44s %8.1f ms%n", "Images.resolve, cold cache (unpack + verify)", median(ours) / 1e6);
        System.out.printf(Locale.ROOT, "  %-44s %8.1f ms%n", "tar -xzpf of each layer blob (GNU tar)", median(tar) / 1e6);
        System.out.printf(Locale.ROOT, "  %-44s %8.2f%n", "ratio (ours / tar)", (double) median(ours) / median(tar));
        System.out.printf(Locale.ROOT, "  %-44s %8.2f ms%n", "Images.resolve, image cached (second use)", median(cached) / 1e6);
    }

    /** Start to first exec result on the image (cached after the first start) and on the built-in rootfs. */
    private static void measureStart(Path layout, int runs) {
        ContainerSpec onImage = ContainerSpec.builder().image("oci:" + layout + ":bench").build();
        ContainerSpec builtIn = ContainerSpec.builder().build();
        for (int i = 0; i < 20; i++) { // warm-up, and the image's first use fills the cache
            startToFirstExec(onImage);
            startToFirstExec(builtIn);
        }
        int starts = Math.max(runs, 21);
        List<Long> image = new ArrayList<>();
        List<Long> directory = new ArrayList<>();
        for (int i = 0; i < starts; i++) {
            image.add(startToFirstExec(onImage));
            directory.add(startToFirstExec(builtIn));
        }
        System.out.printf(Locale.ROOT, "%nstart -> first exec(\"true\") result, median of %d, interleaved:%n", starts);
        System.out.printf(Locale.ROOT, "  %-44s %8.2f ms%n", "the built-in rootfs (a directory)", median(directory) / 1e6);
        System.out.printf(Locale.ROOT, "  %-44s %8.2f ms%n", "the same tree as a 2-layer image, cached", median(image) / 1e6);
        System.out.printf(Locale.ROOT, "  %-44s %8.2f%n", "ratio (image / built-in)", (double) median(image) / median(directory));
    }

    private static long startToFirstExec(ContainerSpec spec) {
        long t0 = System.nanoTime();
        try (Container c = Container.start(spec)) {
            ExecResult r = c.exec("true");
            long elapsed = System.nanoTime() - t0;
            if (!r.succeeded()) {
                throw new IllegalStateException(r.describe());
            }
            return elapsed;
        }
    }

    /** The built-in rootfs as an OCI image: its tree as one layer, and a second layer with one file. */
    private static Path buildBuiltInImage(Path work, String name) throws Exception {
        return umociImage(work, name, List.of(
                rootfs -> run(List.of("cp", "-a", DefaultRootfs.path() + "/.", rootfs.toString())),
                rootfs -> Files.writeString(rootfs.resolve("etc/app.conf"), "mode=bench\n")));
    }

    /** What one layer adds to the image's root filesystem as it stands. */
    private interface Layer {
        void addTo(Path rootfs) throws Exception;
    }

    /** A new OCI layout at {@code work/name}, tag "bench", with umoci: one layer per {@code layers}, in order. */
    private static Path umociImage(Path work, String name, List<Layer> layers) throws Exception {
        Path layout = work.resolve(name);
        Path bundle = work.resolve("bundle");
        run(List.of("umoci", "init", "--layout", layout.toString()));
        run(List.of("umoci", "new", "--image", layout + ":bench"));
        for (Layer layer : layers) {
            run(List.of("rm", "-rf", bundle.toString()));
            run(List.of("umoci", "unpack", "--image", layout + ":bench", bundle.toString()));
            layer.addTo(bundle.resolve("rootfs"));
            run(List.of("umoci", "repack", "--image", layout + ":bench", bundle.toString()));
        }
        return layout;
    }

    private static long timeResolve(Path work, ImageReference reference) throws Exception {
        Path cache = Files.createTempDirectory(work, "cache-");
        long t0 = System.nanoTime();
        Images.resolve(reference, work, cache);
        long elapsed = System.nanoTime() - t0;
        settle(cache);
        return elapsed;
    }

    private static long timeTar(Path work, List<Path> blobs) throws Exception {
        Path target = Files.createTempDirectory(work, "tar-");
        long t0 = System.nanoTime();
        for (int i = 0; i < blobs.size(); i++) {
            Path layer = Files.createDirectory(target.resolve("layer-" + i));
            run(List.of("tar", "-xzpf", blobs.get(i).toString(), "-C", layer.toString()));
        }
        long elapsed = System.nanoTime() - t0;
        settle(target);
        return elapsed;
    }

    /** Removes a run's tree and lets the disk write back, so that the next run does not pay for this one. */
    private static void settle(Path tree) throws Exception {
        run(List.of("rm", "-rf", tree.toString()));
        run(List.of("sync"));
    }

    /** Three layers of about 10 MB each, with umoci. */
    private static Path buildImage(Path work, String name) throws Exception {
        String libs = Files.isDirectory(Path.of("/usr/lib/x86_64-linux-gnu")) ? "/usr/lib/x86_64-linux-gnu"
                : Files.isDirectory(Path.of("/usr/lib/aarch64-linux-gnu")) ? "/usr/lib/aarch64-linux-gnu" : "/usr/lib";
        List<List<Copy>> copies = List.of(
                List.of(new Copy("/usr/bin", "usr/bin", LAYER_BYTES)),
                List.of(new Copy(libs, "usr/lib", LAYER_BYTES)),
                List.of(new Copy("/usr/share/zoneinfo", "usr/share/zoneinfo", Long.MAX_VALUE),
                        new Copy("/usr/bin", "opt/copy-of-bin", LAYER_BYTES / 2)));
        List<Layer> layers = new ArrayList<>();
        for (List<Copy> layer : copies) {
            layers.add(rootfs -> {
                for (Copy copy : layer) {
                    copyFiles(Path.of(copy.from()), rootfs.resolve(copy.to()), copy.budget());
                }
            });
        }
        return umociImage(work, name, layers);
    }

    /** One layer of 20,000 files of a few dozen bytes in 100 directories: the cost per file, as in node_modules. */
    private static Path buildSmallFilesImage(Path work, String name) throws Exception {
        return umociImage(work, name, List.of(rootfs -> {
            for (int d = 0; d < 100; d++) {
                Path dir = Files.createDirectories(rootfs.resolve("srv/node_modules/package-" + d));
                for (int f = 0; f < 200; f++) {
                    Files.writeString(dir.resolve("file-" + f + ".js"), "module.exports = " + d + " * " + f + ";\n");
                }
            }
        }));
    }

    private record Copy(String from, String to, long budget) {
    }

    /** Regular files under {@code from}, in name order, until {@code budget} bytes; mode and times kept. */
    private static void copyFiles(Path from, Path to, long budget) throws IOException {
        long copied = 0;
        List<Path> files;
        try (Stream<Path> walk = Files.walk(from)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path file : files) {
            long size = Files.size(file);
            if (size > 4 << 20) {
                continue;
            }
            if (copied + size > budget) {
                break;
            }
            Path target = to.resolve(from.relativize(file).toString());
            Files.createDirectories(target.getParent());
            Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
            copied += size;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Path> layerBlobs(Path layout) throws IOException {
        Map<String, Object> index = Json.parseObject(Files.readString(layout.resolve("index.json")));
        String manifestDigest = (String) ((Map<String, Object>) ((List<Object>) index.get("manifests")).get(0)).get("digest");
        Map<String, Object> manifest = Json.parseObject(Files.readString(blob(layout, manifestDigest)));
        List<Path> blobs = new ArrayList<>();
        for (Object layer : (List<Object>) manifest.get("layers")) {
            blobs.add(blob(layout, (String) ((Map<String, Object>) layer).get("digest")));
        }
        return blobs;
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    private static long treeBytes(ResolvedImage image) throws IOException {
        long bytes = 0;
        for (Path layer : image.lowerDirsTopFirst()) {
            try (Stream<Path> walk = Files.walk(layer)) {
                bytes += walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
        }
        return bytes;
    }

    private static long fileCount(ResolvedImage image) throws IOException {
        long count = 0;
        for (Path layer : image.lowerDirsTopFirst()) {
            try (Stream<Path> walk = Files.walk(layer)) {
                count += walk.filter(Files::isRegularFile).count();
            }
        }
        return count;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted, Comparator.naturalOrder());
        return sorted.get(sorted.size() / 2);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
        }
    }
}
