package dev.containerized.rootfs;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tar reader against archives written byte by byte: each header form it must read, and what it must refuse. */
class TarReaderTests {
    @Test
    void readsEveryKindOfEntryWithItsMetadata() throws IOException {
        byte[] tar = new TarWriter()
                .dir("etc/", 0755, 0, 0, 1000)
                .file("etc/passwd", "root:x:0:0\n".getBytes(StandardCharsets.UTF_8), 04755, 1234, 5678, 1_600_000_000L)
                .symlink("bin", "usr/bin")
                .hardLink("etc/passwd-", "etc/passwd")
                .charDevice("dev/null", 1, 3, 0666)
                .blockDevice("dev/loop0", 7, 0, 0660)
                .fifo("run/pipe", 0600)
                .bytes();
        List<TarEntry> entries = readAll(tar);

        assertThat(entries).extracting(TarEntry::name).containsExactly("etc/", "etc/passwd", "bin", "etc/passwd-",
                "dev/null", "dev/loop0", "run/pipe");
        assertThat(entries).extracting(TarEntry::type).containsExactly(TarEntry.Type.DIRECTORY, TarEntry.Type.REGULAR,
                TarEntry.Type.SYMLINK, TarEntry.Type.HARD_LINK, TarEntry.Type.CHAR_DEVICE, TarEntry.Type.BLOCK_DEVICE,
                TarEntry.Type.FIFO);
        TarEntry passwd = entries.get(1);
        assertThat(passwd.mode()).isEqualTo(04755);
        assertThat(passwd.uid()).isEqualTo(1234);
        assertThat(passwd.gid()).isEqualTo(5678);
        assertThat(passwd.mtimeSeconds()).isEqualTo(1_600_000_000L);
        assertThat(passwd.size()).isEqualTo(11);
        assertThat(entries.get(2).linkName()).isEqualTo("usr/bin");
        assertThat(entries.get(3).linkName()).isEqualTo("etc/passwd");
        assertThat(entries.get(4).devMajor()).isEqualTo(1);
        assertThat(entries.get(4).devMinor()).isEqualTo(3);
    }

    @Test
    void readsTheDataOfEachFileAndSkipsWhatIsNotRead() throws IOException {
        byte[] big = new byte[70_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        byte[] tar = new TarWriter().file("a", big, 0644, 0, 0, 0).file("b", "second").bytes();
        TarReader reader = new TarReader(new ByteArrayInputStream(tar), "test.tar");
        reader.next();
        byte[] start = new byte[10];
        assertThat(reader.read(start, 0, 10)).isEqualTo(10);
        assertThat(start).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        TarEntry b = reader.next(); // skips the rest of a's data and its padding
        assertThat(b.name()).isEqualTo("b");
        assertThat(new String(readData(reader), StandardCharsets.UTF_8)).isEqualTo("second");
        assertThat(reader.next()).isNull();
    }

    @Test
    void gnuLongNamesAndLinkNames() throws IOException {
        String longName = "d/" + "n".repeat(150) + "/file";
        String longTarget = "t/" + "x".repeat(200);
        byte[] tar = new TarWriter().longNames(TarWriter.LongNames.GNU).file(longName, "x").symlink("link", longTarget)
                .hardLink("h" + "h".repeat(120), longName).bytes();
        List<TarEntry> entries = readAll(tar);
        assertThat(entries.get(0).name()).isEqualTo(longName);
        assertThat(entries.get(1).linkName()).isEqualTo(longTarget);
        assertThat(entries.get(2).name()).hasSize(121);
        assertThat(entries.get(2).linkName()).isEqualTo(longName);
    }

    @Test
    void paxRecordsOverrideTheHeaderAndGlobalOnesLastUntilCancelled() throws IOException {
        byte[] tar = new TarWriter()
                .globalPax(Map.of("uid", "70000", "mtime", "1700000000.25"))
                .file("a", "1")
                .pax(Map.of("path", "p/é/" + "q".repeat(120), "gid", "4294967294", "mtime", "-1.5",
                        "SCHILY.xattr.security.capability", "caps", "size", "1"))
                .file("ignored-name", "2")
                .pax(Map.of("uid", ""))
                .file("c", "3")
                .bytes();
        List<TarEntry> entries = readAll(tar);
        assertThat(entries.get(0).uid()).isEqualTo(70000);
        assertThat(entries.get(0).mtimeSeconds()).isEqualTo(1_700_000_000L);
        assertThat(entries.get(0).mtimeNanos()).isEqualTo(250_000_000);
        TarEntry b = entries.get(1);
        assertThat(b.displayName()).isEqualTo("p/é/" + "q".repeat(120));
        assertThat(b.name()).as("kept as bytes, one char each").isEqualTo(new String(b.displayName().getBytes(StandardCharsets.UTF_8),
                StandardCharsets.ISO_8859_1));
        assertThat(b.gid()).isEqualTo(4294967294L);
        assertThat(b.mtimeSeconds()).isEqualTo(-2);
        assertThat(b.mtimeNanos()).isEqualTo(500_000_000);
        assertThat(b.xattrs()).containsEntry("security.capability", "caps");
        assertThat(entries.get(2).uid()).as("an empty PAX value cancels the global one").isZero();
    }

    @Test
    void ustarPrefixIsJoinedToTheName() throws IOException {
        byte[] tar = new TarWriter().file("placeholder", "x").bytes();
        byte[] prefix = "some/prefix".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(prefix, 0, tar, 345, prefix.length);
        TarWriter.checksum(tar);
        assertThat(readAll(tar).get(0).name()).isEqualTo("some/prefix/placeholder");
    }

    @Test
    void base256NumbersAsGnuTarWritesThemForLargeValues() throws IOException {
        byte[] tar = new TarWriter().file("big-uid", "x").bytes();
        byte[] uid = {(byte) 0x80, 0, 0, 0, 0, 0x7f, (byte) 0xff, (byte) 0xff}; // 2^23 + … = 8388607
        System.arraycopy(uid, 0, tar, 108, 8);
        byte[] mtime = new byte[12];
        java.util.Arrays.fill(mtime, (byte) 0xff); // -1 in two's complement, marker bit set
        System.arraycopy(mtime, 0, tar, 136, 12);
        TarWriter.checksum(tar);
        TarEntry entry = readAll(tar).get(0);
        assertThat(entry.uid()).isEqualTo(8388607);
        assertThat(entry.mtimeSeconds()).isEqualTo(-1);
    }

    @Test
    void aWrongChecksumIsNamedAsNotATar() {
        byte[] tar = new TarWriter().file("a", "x").bytes();
        tar[0] = 'b';
        assertThatThrownBy(() -> readAll(tar)).isInstanceOf(TarException.class)
                .hasMessageContaining("test.tar").hasMessageContaining("wrong checksum");
    }

    @Test
    void sparseFilesAreRefusedClearly() {
        assertThatThrownBy(() -> readAll(new TarWriter().raw('S', "sparse", new byte[0]).bytes()))
                .hasMessageContaining("sparse entry").hasMessageContaining("not supported");
        assertThatThrownBy(() -> readAll(new TarWriter().pax(Map.of("GNU.sparse.major", "1", "GNU.sparse.minor", "0"))
                .file("s", "x").bytes())).hasMessageContaining("sparse entry \"s\"");
    }

    @Test
    void unknownTypesAndMultiVolumeArchivesAreRefused() {
        assertThatThrownBy(() -> readAll(new TarWriter().raw('Z', "what", new byte[0]).bytes()))
                .hasMessageContaining("unknown type 'Z'").hasMessageContaining("\"what\"");
        assertThatThrownBy(() -> readAll(new TarWriter().raw('M', "cont", new byte[0]).bytes()))
                .hasMessageContaining("multi-volume");
    }

    @Test
    void aTruncatedArchiveIsNamed() {
        byte[] tar = new TarWriter().file("a", new byte[5000], 0644, 0, 0, 0).bytes();
        byte[] cut = java.util.Arrays.copyOf(tar, 512 + 1000);
        assertThatThrownBy(() -> {
            TarReader reader = new TarReader(new ByteArrayInputStream(cut), "test.tar");
            reader.next();
            readData(reader);
        }).hasMessageContaining("test.tar is truncated inside the data of the entry \"a\"");
    }

    @Test
    void anOversizedPaxHeaderIsRefusedBeforeItIsBuffered() {
        byte[] tar = new TarWriter().raw('x', "PaxHeader", new byte[0]).bytes();
        byte[] size = String.format("%011o", 64L << 20).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(size, 0, tar, 124, 11);
        TarWriter.checksum(tar);
        assertThatThrownBy(() -> readAll(tar)).hasMessageContaining("PAX header of 67108864 bytes");
    }

    private static List<TarEntry> readAll(byte[] tar) throws IOException {
        TarReader reader = new TarReader(new ByteArrayInputStream(tar), "test.tar");
        List<TarEntry> entries = new ArrayList<>();
        for (TarEntry e = reader.next(); e != null; e = reader.next()) {
            entries.add(e);
        }
        return entries;
    }

    private static byte[] readData(TarReader reader) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[1000];
        for (int n = reader.read(buffer, 0, buffer.length); n > 0; n = reader.read(buffer, 0, buffer.length)) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
