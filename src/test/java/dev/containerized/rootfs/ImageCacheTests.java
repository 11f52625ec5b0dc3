package dev.containerized.rootfs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The layer cache: each layer once, shared, verified, safe against concurrent JVMs, and a cached image read without its layers. */
class ImageCacheTests {
    @TempDir
    Path scratch;

    private Path cache() {
        return scratch.resolve("cache");
    }

    private ResolvedImage resolve(String reference) {
        return Images.resolve(ImageReference.parse(reference), scratch, cache());
    }

    private static TestImages.Image baseAnd(String top) {
        return TestImages.image()
                .layer(new TarWriter().dir("etc/").file("etc/base", "base"))
                .layer(new TarWriter().file("top", top));
    }

    /** A blob that never ends (a link to /dev/zero) or is longer than its descriptor: refused, and soon. */
    @Test
    void aLayerBlobThatIsNotAFileOrLongerThanTheManifestSaysIsRefusedAtOnce() throws IOException {
        TestImages.Written zero = baseAnd("z").ociLayout(scratch.resolve("zero"), "t");
        Path zeroBlob = scratch.resolve("zero/blobs/sha256").resolve(zero.blobDigests().get(0).substring(7));
        Files.delete(zeroBlob);
        Files.createSymbolicLink(zeroBlob, Path.of("/dev/zero"));
        TestImages.Written longer = baseAnd("l").ociLayout(scratch.resolve("longer"), "t");
        Path longerBlob = scratch.resolve("longer/blobs/sha256").resolve(longer.blobDigests().get(1).substring(7));
        Files.write(longerBlob, new byte[1 << 20], java.nio.file.StandardOpenOption.APPEND);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
            assertThatThrownBy(() -> resolve("oci:zero")).isInstanceOf(ImageException.class).hasMessageContaining("not a regular file");
            assertThatThrownBy(() -> resolve("oci:longer")).isInstanceOf(ImageException.class)
                    .hasMessageContaining("has more than the").hasMessageContaining("bytes the manifest says");
        });
    }

    /**
     * A layer whose manifest says it is larger than the room where it would be unpacked (here a sparse
     * blob a gigabyte larger than the room left, which would hash for minutes before its digest could fail) is
     * refused before it is read.
     */
    @Test
    void aLayerLargerThanTheRoomToUnpackItIsRefusedBeforeItIsRead() throws IOException {
        long huge = Files.getFileStore(scratch).getUsableSpace() + (1L << 30);
        TestImages.Written written = baseAnd("big").lastLayerDeclaredAs(huge).ociLayout(scratch.resolve("big"), "t");
        Path blob = scratch.resolve("big/blobs/sha256").resolve(written.blobDigests().get(1).substring(7));
        try (var channel = java.nio.channels.FileChannel.open(blob, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[1]), huge - 1); // sparse: it costs a block
        }
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () ->
                assertThatThrownBy(() -> resolve("oci:big")).isInstanceOf(ImageException.class)
                        .hasMessageContaining("is " + huge + " bytes, more than the").hasMessageContaining("bytes free"));
    }

    @Test
    void layersAreKeyedByDiffIdAndSharedByImagesAndByArchiveForms() throws IOException {
        TestImages.Written a = baseAnd("a").ociLayout(scratch.resolve("a"), "t");
        baseAnd("b").ociLayout(scratch.resolve("b"), "t");
        TestImages.classicDockerArchive(scratch.resolve("a.tar"), Map.of("a:1", baseAnd("a")));

        ResolvedImage imageA = resolve("oci:a");
        ResolvedImage imageB = resolve("oci:b");
        ResolvedImage archiveA = resolve("docker-archive:a.tar");

        assertThat(imageA.lowerDirsTopFirst().get(1)).as("the base layer, one directory for both images")
                .isEqualTo(imageB.lowerDirsTopFirst().get(1))
                .isEqualTo(cache().resolve("layers/sha256").resolve(a.diffIds().get(0).substring(7)));
        assertThat(archiveA.lowerDirsTopFirst()).as("gzip in the layout, plain in the archive: the same layers")
                .isEqualTo(imageA.lowerDirsTopFirst());
        try (Stream<Path> layers = Files.list(cache().resolve("layers/sha256"))) {
            assertThat(layers).hasSize(3);
        }
    }

    @Test
    void aLayerThatHardLinksIntoTheLayersBelowIsKeyedByItsChainNotItsDiffId() throws IOException {
        TarWriter linking = new TarWriter().dir("usr/").hardLink("usr/tool", "bin/tool");
        TestImages.image().layer(new TarWriter().dir("bin/").file("bin/tool", "tool A")).layer(linking)
                .ociLayout(scratch.resolve("a"), "t");
        TestImages.image().layer(new TarWriter().dir("bin/").file("bin/tool", "tool B")).layer(linking)
                .ociLayout(scratch.resolve("b"), "t");

        Path topA = resolve("oci:a").lowerDirsTopFirst().get(0);
        Path topB = resolve("oci:b").lowerDirsTopFirst().get(0);

        assertThat(topA.getParent()).isEqualTo(cache().resolve("layers/chain/sha256"));
        assertThat(topA).as("one layer, two stacks below it: two copies").isNotEqualTo(topB);
        assertThat(topA.resolve("usr/tool")).hasContent("tool A");
        assertThat(topB.resolve("usr/tool")).hasContent("tool B");
        for (java.io.File marker : cache().resolve("images/sha256").toFile().listFiles()) {
            Files.delete(marker.toPath()); // so that the image is planned again, its layers looked up in the cache
        }
        assertThat(resolve("oci:a").lowerDirsTopFirst().get(0)).as("found again by its chain ID").isEqualTo(topA);
        try (Stream<Path> chains = Files.list(cache().resolve("layers/chain/sha256"))) {
            assertThat(chains).hasSize(2);
        }
    }

    @Test
    void aSecondUseOfAnOciImageReadsNoBlobAtAll() throws IOException {
        Map<String, Object> config = Map.of("Env", List.of("K=v"));
        baseAnd("x").config(config).ociLayout(scratch.resolve("img"), "t");
        ResolvedImage first = resolve("oci:img:t");

        try (Stream<Path> blobs = Files.list(scratch.resolve("img/blobs/sha256"))) {
            for (Path blob : blobs.toList()) {
                Files.delete(blob); // only index.json is left to lead to the cached image
            }
        }
        ResolvedImage second = resolve("oci:img:t");
        assertThat(second).isEqualTo(first);
        assertThat(second.config().env()).containsExactly("K=v");
    }

    @Test
    void aSecondUseOfADockerArchiveReadsItsHeadersAndConfigButNoLayer() throws IOException {
        TestImages.classicDockerArchive(scratch.resolve("app.tar"), Map.of("app:1", baseAnd("TOP-LAYER-CONTENT")));
        ResolvedImage first = resolve("docker-archive:app.tar");
        replaceInFile(scratch.resolve("app.tar"), "TOP-LAYER-CONTENT", "TOP-LAYER-CHANGED");
        assertThat(resolve("docker-archive:app.tar")).isEqualTo(first);

        Files.delete(cache().resolve("images/sha256").toFile().listFiles()[0].toPath());
        Trees.removeQuietly(first.lowerDirsTopFirst().get(0));
        assertThatThrownBy(() -> resolve("docker-archive:app.tar"))
                .as("without the marker and the layer's directory, the layer is read, and found changed")
                .hasMessageContaining("the uncompressed layer hashes to");
    }

    @Test
    void aLayerWhoseBlobDoesNotMatchItsDigestIsRefusedAndNotKept() throws IOException {
        TestImages.Written written = baseAnd("x").ociLayout(scratch.resolve("img"), "t");
        Path topBlob = scratch.resolve("img/blobs/sha256").resolve(written.blobDigests().get(1).substring(7));
        Files.write(topBlob, TarWriter.gzip(new TarWriter().file("top", "swapped").bytes()));

        // A longer blob is refused as it passes its size, before its digest is known; a shorter one by its digest.
        assertThatThrownBy(() -> resolve("oci:img")).isInstanceOf(ImageException.class)
                .hasMessageContaining("layer 2/2 (" + written.blobDigests().get(1) + ") of oci:img")
                .hasMessageMatching("(?s).*(hashes to sha256:|has more than the \\d+ bytes the manifest says).*")
                .hasMessageContaining("fetch the image again");
        assertThat(cache().resolve("layers/sha256").resolve(written.diffIds().get(1).substring(7))).doesNotExist();
        assertThat(cache().resolve("layers/tmp")).isEmptyDirectory();
    }

    @Test
    void aLayerWhoseTarDoesNotMatchItsDiffIdIsRefusedAndNotKept() throws IOException {
        TestImages.classicDockerArchive(scratch.resolve("app.tar"), Map.of("app:1", baseAnd("TOP-LAYER-CONTENT")));
        replaceInFile(scratch.resolve("app.tar"), "TOP-LAYER-CONTENT", "TOP-LAYER-CHANGED");
        assertThatThrownBy(() -> resolve("docker-archive:app.tar")).isInstanceOf(ImageException.class)
                .hasMessageContaining("layer 2/2 (sha256:")
                .hasMessageContaining("the uncompressed layer hashes to sha256:")
                .hasMessageContaining("rootfs.diff_ids");
        assertThat(cache().resolve("layers/tmp")).isEmptyDirectory();
    }

    @Test
    void theLayersDirectoryIsForRootOnly() throws IOException {
        Files.createDirectories(cache().resolve("layers"));
        Files.setPosixFilePermissions(cache().resolve("layers"), PosixFilePermissions.fromString("rwxr-xr-x"));
        baseAnd("x").ociLayout(scratch.resolve("img"), "t");
        resolve("oci:img");
        assertThat(Files.getPosixFilePermissions(cache().resolve("layers")))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void aLayerMovedIntoPlaceSecondIsDiscardedAndTheFirstKept() throws IOException {
        LayerCache layers = new LayerCache(cache()).prepare();
        Path target = layers.root().resolve("sha256").resolve("0".repeat(64));
        try (WorkDirectory winner = layers.createTemp("winner-"); WorkDirectory loser = layers.createTemp("loser-")) {
            Files.writeString(winner.path().resolve("file"), "winner");
            Files.writeString(loser.path().resolve("file"), "loser");
            layers.moveIntoPlace(winner.path(), target);
            layers.moveIntoPlace(loser.path(), target); // another JVM was first: no error, and its copy goes
        }
        assertThat(target.resolve("file")).hasContent("winner");
        assertThat(layers.root().resolve("tmp")).isEmptyDirectory();
    }

    @Test
    void workLeftByADeadProcessIsSweptAndWorkInProgressIsNot() throws IOException {
        LayerCache layers = new LayerCache(cache()).prepare();
        Path tmp = layers.root().resolve("tmp");
        Path abandoned = Files.createDirectories(tmp.resolve("abc-123/usr/bin"));
        Files.writeString(abandoned.resolve("half-written"), "x");
        Files.createFile(tmp.resolve("abc-123.lock")); // its owner died: nobody holds the lock
        try (WorkDirectory inProgress = layers.createTemp("busy-")) {
            Files.writeString(inProgress.path().resolve("file"), "x");
            new LayerCache(cache()).prepare();
            assertThat(tmp.resolve("abc-123")).doesNotExist();
            assertThat(tmp.resolve("abc-123.lock")).doesNotExist();
            assertThat(inProgress.path().resolve("file")).exists();
        }
        assertThat(tmp).isEmptyDirectory();
    }

    @Test
    void threadsResolvingOneImageAtOnceGetOneCopyOfEachLayer() throws Exception {
        manyFiles().ociLayout(scratch.resolve("img"), "t");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<ResolvedImage>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> resolve("oci:img")));
            }
            ResolvedImage first = results.get(0).get(60, TimeUnit.SECONDS);
            for (Future<ResolvedImage> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(first);
            }
            assertComplete(first);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void jvmsResolvingOneImageAtOnceLeaveOneCompleteCopy() throws Exception {
        manyFiles().ociLayout(scratch.resolve("img"), "t");
        List<Process> jvms = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            jvms.add(new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                    "-cp", System.getProperty("java.class.path"), ResolveInAnotherJvm.class.getName(),
                    "oci:img", scratch.toString(), cache().toString()).redirectErrorStream(true).start());
        }
        List<String> outputs = new ArrayList<>();
        for (Process jvm : jvms) {
            assertThat(jvm.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(jvm.exitValue()).as(output).isZero();
            outputs.add(output.lines().filter(l -> l.startsWith("lowerdir=")).findFirst().orElseThrow(() -> new AssertionError(output)));
        }
        assertThat(outputs).containsOnly(outputs.get(0));
        assertComplete(resolve("oci:img"));
    }

    @Test
    void aWorkDirectoryOfAnotherJvmIsKeptWhileItLivesAndSweptOnceItIsKilled() throws Exception {
        LayerCache layers = new LayerCache(cache()).prepare();
        Process jvm = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), HoldAWorkDirectory.class.getName(), layers.root().resolve("tmp").toString())
                .redirectErrorStream(true).start();
        try {
            Path held = Path.of(new java.io.BufferedReader(new java.io.InputStreamReader(jvm.getInputStream())).readLine());
            new LayerCache(cache()).prepare();
            assertThat(held).as("its owner lives").isDirectory();
            jvm.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            new LayerCache(cache()).prepare();
            assertThat(held).as("its owner was killed").doesNotExist();
            assertThat(layers.root().resolve("tmp")).isEmptyDirectory();
        } finally {
            jvm.destroyForcibly();
        }
    }

    /** Run in another JVM: makes a work directory, says where, and waits to be killed. */
    static final class HoldAWorkDirectory {
        public static void main(String[] args) throws Exception {
            WorkDirectory work = WorkDirectory.create(Path.of(args[0]), "held-");
            Files.writeString(work.path().resolve("half-written"), "x");
            System.out.println(work.path());
            Thread.sleep(120_000);
        }
    }

    /** Run in other JVMs by {@link #jvmsResolvingOneImageAtOnceLeaveOneCompleteCopy}. */
    static final class ResolveInAnotherJvm {
        public static void main(String[] args) {
            ResolvedImage image = Images.resolve(ImageReference.parse(args[0]), Path.of(args[1]), Path.of(args[2]));
            System.out.println(image.lowerdirOption());
        }
    }

    /** Two layers of 2000 files each: enough work for concurrent unpackers to overlap. */
    private static TestImages.Image manyFiles() {
        TarWriter bottom = new TarWriter().dir("data/");
        TarWriter top = new TarWriter().dir("more/");
        for (int i = 0; i < 2000; i++) {
            bottom.file("data/f" + i, "content " + i);
            top.file("more/g" + i, "content " + i);
        }
        return TestImages.image().layer(bottom).layer(top);
    }

    private void assertComplete(ResolvedImage image) throws IOException {
        try (Stream<Path> files = Files.list(image.lowerDirsTopFirst().get(1).resolve("data"))) {
            assertThat(files).hasSize(2000);
        }
        try (Stream<Path> files = Files.list(image.lowerDirsTopFirst().get(0).resolve("more"))) {
            assertThat(files).hasSize(2000);
        }
        assertThat(image.lowerDirsTopFirst().get(1).resolve("data/f1999")).hasContent("content 1999");
        assertThat(cache().resolve("layers/tmp")).as("no unpacking left behind").isEmptyDirectory();
        try (Stream<Path> layers = Files.list(cache().resolve("layers/sha256"))) {
            assertThat(layers).hasSize(2);
        }
    }

    /** Replaces bytes inside an archive (a layer's file content), keeping every length and header as they were. */
    private static void replaceInFile(Path archive, String text, String replacement) throws IOException {
        byte[] bytes = Files.readAllBytes(archive);
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf(text);
        assertThat(at).as(text + " in " + archive).isPositive();
        try (RandomAccessFile file = new RandomAccessFile(archive.toFile(), "rw")) {
            file.seek(at);
            file.write(replacement.getBytes(StandardCharsets.ISO_8859_1));
        }
    }
}
