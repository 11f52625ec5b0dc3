package dev.containerized.rootfs;

import dev.containerized.internal.linux.Dirents;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.FileCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One layer's entries applied to a directory, checked on the real file system (we are root). */
class LayerUnpackerTests {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    @TempDir
    Path scratch;

    @Test
    void filesDirectoriesAndLinksKeepModesOwnersAndTimes() throws Exception {
        Path layer = unpack(new TarWriter()
                .dir("usr/", 0755, 0, 0, 1_000_000)
                .dir("usr/bin/", 0750, 12, 34, 1_100_000)
                .file("usr/bin/su", "su".getBytes(StandardCharsets.UTF_8), 04755, 0, 0, 1_200_000)
                .file("usr/bin/wall", "w".getBytes(StandardCharsets.UTF_8), 02755, 0, 5, 1_300_000)
                .dir("tmp/", 01777, 0, 0, 1_400_000)
                .file("home/u/notes", "n".getBytes(StandardCharsets.UTF_8), 0600, 1000, 1000, 1_500_000)
                .symlink("bin", "usr/bin", 7, 8, 1_600_000)
                .hardLink("usr/bin/su2", "usr/bin/su")
                .bytes());

        assertThat(unix(layer.resolve("usr/bin/su"), "mode") & 07777).isEqualTo(04755);
        assertThat(unix(layer.resolve("usr/bin/wall"), "mode") & 07777).isEqualTo(02755);
        assertThat(unix(layer.resolve("usr/bin/wall"), "gid")).isEqualTo(5);
        assertThat(unix(layer.resolve("tmp"), "mode") & 07777).isEqualTo(01777);
        assertThat(unix(layer.resolve("usr/bin"), "uid")).isEqualTo(12);
        assertThat(unix(layer.resolve("usr/bin"), "gid")).isEqualTo(34);
        assertThat(unix(layer.resolve("home/u/notes"), "uid")).isEqualTo(1000);
        assertThat(unix(layer.resolve("home/u"), "mode") & 07777).as("a parent without an entry, as Docker makes it").isEqualTo(0755);
        assertThat(Files.readSymbolicLink(layer.resolve("bin"))).isEqualTo(Path.of("usr/bin"));
        assertThat(unix(layer.resolve("bin"), "uid")).as("lchown: the link's own owner").isEqualTo(7);
        assertThat(unix(layer.resolve("usr/bin/su2"), "ino")).isEqualTo(unix(layer.resolve("usr/bin/su"), "ino"));

        assertThat(mtime(layer.resolve("usr/bin/su"))).isEqualTo(1_200_000);
        assertThat(mtime(layer.resolve("bin"))).as("a symlink's own time").isEqualTo(1_600_000);
        assertThat(mtime(layer.resolve("usr/bin"))).as("set after its files were written").isEqualTo(1_100_000);
        assertThat(mtime(layer.resolve("usr"))).isEqualTo(1_000_000);
        assertThat(mtime(layer.resolve("tmp"))).isEqualTo(1_400_000);
    }

    @Test
    void devicesAndFifos() throws Exception {
        Path layer = unpack(new TarWriter().charDevice("dev/null", 1, 3, 0666).blockDevice("dev/loop9", 7, 9, 0660)
                .fifo("run/fifo", 0620).bytes());
        Fcntl.FileStat nul = stat(layer.resolve("dev/null"));
        assertThat(nul.type()).isEqualTo(Fcntl.S_IFCHR);
        assertThat(nul.rdevMajor()).isEqualTo(1);
        assertThat(nul.rdevMinor()).isEqualTo(3);
        assertThat(nul.mode() & 07777).isEqualTo(0666);
        Fcntl.FileStat loop = stat(layer.resolve("dev/loop9"));
        assertThat(loop.type()).isEqualTo(Fcntl.S_IFBLK);
        assertThat(loop.rdevMinor()).isEqualTo(9);
        assertThat(stat(layer.resolve("run/fifo")).type()).isEqualTo(Fcntl.S_IFIFO);
        assertThat(stat(layer.resolve("run/fifo")).mode() & 07777).isEqualTo(0620);
    }

    @Test
    void devicesAreSkippedWithANoteWhereTheHostRefusesThem() throws Exception {
        Path layer = Files.createTempDirectory(scratch, "layer-");
        byte[] tar = new TarWriter().charDevice("dev/null", 1, 3, 0666).fifo("run/fifo", 0600).file(".wh.gone", "").bytes();
        java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        // Capabilities belong to a thread: this one loses CAP_MKNOD, as in a container without it.
        Thread withoutMknod = new Thread(() -> {
            try {
                dropEffectiveCapability(27);
                outcome.set(new LayerUnpacker("layer test", FileCalls.bytes(layer), new LowerLayers(List.of())).unpack(reader(tar)));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        withoutMknod.start();
        withoutMknod.join();
        assertThat(outcome.get()).isInstanceOf(LayerUnpacker.Result.class);
        LayerUnpacker.Result result = (LayerUnpacker.Result) outcome.get();
        assertThat(result.notes()).singleElement().asString().contains("skipped the device \"dev/null\"").contains("EPERM");
        assertThat(layer.resolve("dev/null")).doesNotExist();
        assertThat(stat(layer.resolve("run/fifo")).type()).as("fifos need no capability").isEqualTo(Fcntl.S_IFIFO);
        assertThat(stat(layer.resolve("gone")).isWhiteout()).as("nor do whiteouts, since Linux 5.8").isTrue();
    }

    /** capget + capset on the calling thread, clearing one capability from its effective set. */
    private static void dropEffectiveCapability(int capability) {
        boolean arm = System.getProperty("os.arch").equals("aarch64");
        com.sun.jna.Memory header = new com.sun.jna.Memory(8);
        header.setInt(0, 0x20080522); // _LINUX_CAPABILITY_VERSION_3
        header.setInt(4, 0);
        com.sun.jna.Memory data = new com.sun.jna.Memory(24);
        CapabilityCalls.C.syscall(arm ? 90 : 125, header, data); // capget
        data.setInt(0, data.getInt(0) & ~(1 << capability)); // effective, low word
        CapabilityCalls.C.syscall(arm ? 91 : 126, header, data); // capset
    }

    /** capget(2) and capset(2) through syscall(2): only this test changes a thread's capabilities from Java. */
    interface CapabilityCalls extends com.sun.jna.Library {
        CapabilityCalls C = com.sun.jna.Native.load(com.sun.jna.Platform.C_LIBRARY_NAME, CapabilityCalls.class);

        long syscall(long number, com.sun.jna.Pointer header, com.sun.jna.Pointer data);
    }

    @Test
    void whiteoutsBecomeOverlayWhiteoutsAndOpaqueMarkersAnXattr() throws Exception {
        Path layer = unpack(new TarWriter()
                .dir("etc/")
                .file("etc/.wh.motd", "")
                .dir("var/cache/")
                .file("var/cache/.wh..wh..opq", "")
                .file("var/cache/fresh", "new")
                .file(".wh.root-file", "")
                .bytes());
        assertThat(stat(layer.resolve("etc/motd")).isWhiteout()).isTrue();
        assertThat(layer.resolve("etc/.wh.motd")).doesNotExist();
        assertThat(xattr(layer.resolve("var/cache"), "trusted.overlay.opaque")).isEqualTo("y");
        assertThat(layer.resolve("var/cache/.wh..wh..opq")).doesNotExist();
        assertThat(layer.resolve("var/cache/fresh")).hasContent("new");
        assertThat(stat(layer.resolve("root-file")).isWhiteout()).isTrue();
    }

    @Test
    void aWhiteoutOnlyHidesLowerLayersNotThisLayersOwnFile() throws Exception {
        Path layer = unpack(new TarWriter().file("keep", "mine").file(".wh.keep", "").bytes());
        assertThat(layer.resolve("keep")).hasContent("mine");
    }

    @Test
    void aDirectoryAfterAWhiteoutOfTheSameNameIsOpaque() throws Exception {
        Path layer = unpack(new TarWriter().file(".wh.data", "").dir("data/").file("data/new", "n").bytes());
        assertThat(Files.isDirectory(layer.resolve("data"), NOFOLLOW)).isTrue();
        assertThat(xattr(layer.resolve("data"), "trusted.overlay.opaque")).as("the lower data/ stays deleted").isEqualTo("y");
    }

    @Test
    void laterEntriesReplaceEarlierOnesADirectoryWithAllItHolds() throws Exception {
        Path layer = unpack(new TarWriter()
                .file("a", "first").file("a", "second")
                .dir("d/").file("d/inner", "x").file("d", "now a file")
                .symlink("s", "x").dir("s/")
                .bytes());
        assertThat(layer.resolve("a")).hasContent("second");
        assertThat(layer.resolve("d")).isRegularFile().hasContent("now a file");
        assertThat(Files.isDirectory(layer.resolve("s"), NOFOLLOW)).isTrue();
    }

    @Test
    void namesAreBytesWhateverTheirEncoding() throws Exception {
        byte[] latin1Name = {'c', 'a', 'f', (byte) 0xe9}; // not UTF-8
        byte[] tar = new TarWriter().file("café-utf8", "u").file("XXXX", "l").bytes();
        int second = 1024; // after the first entry's header and its data block
        byte[] header = java.util.Arrays.copyOfRange(tar, second, second + 512);
        System.arraycopy(latin1Name, 0, header, 0, 4);
        TarWriter.checksum(header);
        System.arraycopy(header, 0, tar, second, 512);
        Path layer = unpack(tar);
        List<byte[]> names = FileCalls.list(FileCalls.bytes(layer)).stream().map(Dirents.Entry::name).toList();
        assertThat(names).anySatisfy(n -> assertThat(n).isEqualTo("café-utf8".getBytes(StandardCharsets.UTF_8)));
        assertThat(names).anySatisfy(n -> assertThat(n).isEqualTo(latin1Name));
    }

    @Test
    void extendedAttributesFromPaxButNeverTrustedOnes() throws Exception {
        Path layer = unpack(new TarWriter()
                .pax(Map.of("SCHILY.xattr.user.origin", "test", "SCHILY.xattr.trusted.overlay.opaque", "y",
                        "SCHILY.xattr.user.overlay.redirect", "/etc"))
                .dir("d/")
                .bytes());
        assertThat(xattr(layer.resolve("d"), "user.origin")).isEqualTo("test");
        assertThat(xattr(layer.resolve("d"), "trusted.overlay.opaque")).as("a layer does not steer overlayfs").isNull();
        assertThat(xattr(layer.resolve("d"), "user.overlay.redirect")).isNull();
    }

    @Test
    void anOwnerLinuxCannotRecordIsRefused() {
        assertThatThrownBy(() -> unpack(new TarWriter().pax(Map.of("uid", "4294967295")).file("f", "x").bytes()))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("layer test is refused: its entry \"f\" has the owner 4294967295:0, which Linux cannot record");
    }

    @Test
    void aHardLinkToALowerLayersFileIsACopyOfIt() throws Exception {
        Path lower = unpack(new TarWriter().dir("bin/").file("bin/tool", "tool".getBytes(StandardCharsets.UTF_8), 04711, 3, 4, 1_234_567)
                .bytes());
        Path upper = Files.createDirectory(scratch.resolve("upper"));
        LayerUnpacker.Result result = new LayerUnpacker("layer upper", FileCalls.bytes(upper), new LowerLayers(List.of(lower)))
                .unpack(reader(new TarWriter().hardLink("usr/tool", "bin/tool").bytes()));
        assertThat(result.copiedFromLowerLayers()).isTrue();
        assertThat(upper.resolve("usr/tool")).hasContent("tool");
        assertThat(unix(upper.resolve("usr/tool"), "mode") & 07777).isEqualTo(04711);
        assertThat(unix(upper.resolve("usr/tool"), "uid")).isEqualTo(3);
        assertThat(mtime(upper.resolve("usr/tool"))).isEqualTo(1_234_567);
        assertThat(unix(upper.resolve("usr/tool"), "ino")).isNotEqualTo(unix(lower.resolve("bin/tool"), "ino"));
    }

    @Test
    void aHardLinkToALowerFileThatAWhiteoutDeletedIsRefused() throws Exception {
        Path bottom = unpack(new TarWriter().file("gone", "x").bytes());
        Path middle = Files.createDirectory(scratch.resolve("middle"));
        new LayerUnpacker("layer middle", FileCalls.bytes(middle), new LowerLayers(List.of(bottom)))
                .unpack(reader(new TarWriter().file(".wh.gone", "").bytes()));
        Path top = Files.createDirectory(scratch.resolve("top"));
        assertThatThrownBy(() -> new LayerUnpacker("layer top", FileCalls.bytes(top), new LowerLayers(List.of(middle, bottom)))
                .unpack(reader(new TarWriter().hardLink("again", "gone").bytes())))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("layer top is refused: its entry \"again\" is a hard link to \"gone\", which is neither");
    }

    private Path unpack(byte[] tar) throws IOException {
        Path dir = Files.createTempDirectory(scratch, "layer-");
        new LayerUnpacker("layer test", FileCalls.bytes(dir), new LowerLayers(List.of())).unpack(reader(tar));
        return dir;
    }

    private static TarReader reader(byte[] tar) {
        return new TarReader(new ByteArrayInputStream(tar), "layer test");
    }

    static long unix(Path path, String attribute) throws IOException {
        return ((Number) Files.getAttribute(path, "unix:" + attribute, NOFOLLOW)).longValue();
    }

    static long mtime(Path path) throws IOException {
        return ((FileTime) Files.getAttribute(path, "unix:lastModifiedTime", NOFOLLOW)).toInstant().getEpochSecond();
    }

    static Fcntl.FileStat stat(Path path) {
        return FileCalls.lstat(FileCalls.bytes(path)).orElseThrow(() -> new AssertionError("nothing at " + path));
    }

    static String xattr(Path path, String name) {
        return FileCalls.getXattr(FileCalls.bytes(path), name.getBytes(StandardCharsets.US_ASCII))
                .map(v -> new String(v, StandardCharsets.ISO_8859_1)).orElse(null);
    }
}
