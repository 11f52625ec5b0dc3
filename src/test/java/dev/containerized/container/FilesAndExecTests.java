package dev.containerized.container;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Files in and out of a running container, what it changed, and commands with their own options. */
class FilesAndExecTests {
    @TempDir
    Path dir;

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void aDirectoryGoesInAndComesBackOutWithModesAndTimes() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("app/bin"));
        Path script = Files.writeString(tree.resolve("run.sh"), "#!/bin/sh\necho ran as $(id -u)\n");
        Files.setAttribute(script, "unix:mode", 0750);
        Files.setLastModifiedTime(script, FileTime.from(Instant.parse("2020-01-02T03:04:05Z")));
        Files.createSymbolicLink(tree.resolve("link"), Path.of("run.sh"));
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            c.copyTo(dir.resolve("app"), "/opt/app");
            assertThat(c.exec("/opt/app/bin/run.sh").stdout()).isEqualTo("ran as 0\n");
            assertThat(c.exec("stat", "-c", "%a %Y", "/opt/app/bin/run.sh").stdout()).isEqualTo("750 1577934245\n");
            assertThat(c.exec("readlink", "/opt/app/bin/link").stdout()).isEqualTo("run.sh\n");

            c.exec("sh", "-c", "mkdir -p /out/deep && echo made > /out/deep/f && chmod 604 /out/deep/f");
            c.copyFrom("/out", dir.resolve("out"));
            assertThat(Files.readString(dir.resolve("out/deep/f"))).isEqualTo("made\n");
            assertThat((Integer) Files.getAttribute(dir.resolve("out/deep/f"), "unix:mode") & 0777).isEqualTo(0604);
            c.copyFrom("/opt/app/bin/link", dir.resolve("link-out"));
            assertThat(Files.readSymbolicLink(dir.resolve("link-out"))).isEqualTo(Path.of("run.sh"));
        }
    }

    /**
     * A request seven times the control socket's buffer: the test JVM's sendmsg blocks until it is all
     * queued, PID 1 reads it in many pieces. Every byte of 1.5 MB of arguments arrives, in order, and
     * the channel stays in step for the next request.
     */
    @Test
    void argumentsOfMegabytesArriveWholeAndInOrder() throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("sh", "-c", "printf %s \"$@\" | md5sum", "sh"));
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 15; i++) {
            String arg = String.valueOf((char) ('a' + i)).repeat(100_000 - i) + i;
            argv.add(arg);
            all.append(arg);
        }
        String md5 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                .digest(all.toString().getBytes(StandardCharsets.US_ASCII)));
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            ExecResult r = c.exec(argv.toArray(String[]::new));
            assertThat(r.stdout()).as(r.describe()).startsWith(md5);
            assertThat(c.exec("echo", "and the next request").stdout()).isEqualTo("and the next request\n");
        }
    }

    @Test
    void bytesGoInAFileIsReadAndPathsStayInsideTheContainer() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            c.copyTo("hello\n".getBytes(StandardCharsets.UTF_8), "/data/greeting");
            assertThat(c.readString("/data/greeting")).isEqualTo("hello\n");
            // A symlink that points at the host's files points at the container's, read through it.
            c.exec("ln", "-s", "/etc/hostname-of-host", "/data/escape");
            c.exec("ln", "-s", "../../../../../../etc/passwd", "/data/climb");
            assertThat(c.readString("/data/climb")).startsWith("root:x:0:0").doesNotContain("daemon:");
            assertThatThrownBy(() -> c.readString("/data/escape")).isInstanceOf(ContainerException.class).hasMessageContaining("ENOENT");
            // Writing through a link lands inside too.
            c.exec("ln", "-s", "/tmp", "/data/tmp-link");
            c.copyTo("inside\n".getBytes(StandardCharsets.UTF_8), "/data/tmp-link/written");
            assertThat(c.exec("cat", "/tmp/written").stdout()).isEqualTo("inside\n");
            assertThat(Path.of("/tmp/written")).doesNotExist();
            assertThatThrownBy(() -> c.readFile("relative")).hasMessageContaining("must be absolute");
        }
    }

    @Test
    void changesListWhatTheContainerAddedChangedAndDeleted() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            c.exec("sh", "-c", "echo new > /root/new.txt && echo more >> /etc/hosts && rm /bin/ls && echo t > /tmp/not-in-the-diff");
            List<String> changes = c.changes().stream().map(Change::toString).toList();
            assertThat(changes).contains("A /root/new.txt", "C /root", "C /etc/hosts", "C /etc", "D /bin/ls", "C /bin")
                    .noneMatch(s -> s.contains("/tmp") || s.contains("/proc") || s.contains("/dev"));
        }
    }

    @Test
    void aCommandHasItsOwnEnvironmentDirectoryStdinAndTimeout() {
        try (Container c = Container.start(ContainerSpec.builder().env("SHARED", "spec").build())) {
            ExecResult env = c.exec(Exec.of("sh", "-c", "echo $SHARED $OWN; pwd").env("OWN", "exec").workingDirectory("/tmp"));
            assertThat(env.stdout()).isEqualTo("spec exec\n/tmp\n");
            assertThat(c.exec(Exec.of("wc", "-c").stdin("twelve bytes")).stdout().strip()).isEqualTo("12");
            byte[] big = new byte[5_000_000];
            ExecResult streamed = c.exec(Exec.of("sh", "-c", "wc -c").stdin(() -> new ByteArrayInputStream(big)));
            assertThat(streamed.stdout().strip()).isEqualTo("5000000");
            // A command that reads only the start of its stdin is not held up by the rest.
            assertThat(c.exec(Exec.of("head", "-c", "3").stdin(() -> new ByteArrayInputStream(big))).succeeded()).isTrue();
            ExecResult slow = c.exec(Exec.of("sleep", "30").timeout(Duration.ofMillis(300)));
            assertThat(slow.timedOut()).isTrue();
            assertThat(c.exec(Exec.of("pwd").workingDirectory("/nope")).stderr())
                    .contains("enter the working directory chdir(\"/nope\"): ENOENT");
        }
    }

    @Test
    void aCommandRunsAsAnotherUserWithoutCapabilities() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            assertThat(c.exec(Exec.of("id").user("nobody")).stdout()).isEqualTo("uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n");
            assertThat(c.exec(Exec.of("id", "-u").user("1234:5678")).stdout()).isEqualTo("1234\n");
            assertThat(c.exec(Exec.of("id", "-g").user("1234:5678")).stdout()).isEqualTo("5678\n");
            assertThat(c.exec(Exec.of("id", "-g").user("4321")).stdout()).as("a uid not in /etc/passwd gets gid 0").isEqualTo("0\n");
            String status = c.exec(Exec.of("cat", "/proc/self/status").user("nobody")).stdout();
            assertThat(status).contains("CapEff:\t0000000000000000").contains("CapPrm:\t0000000000000000");
            assertThat(c.exec(Exec.of("touch", "/etc/passwd").user("nobody")).stderr()).contains("Permission denied");
            assertThatThrownBy(() -> c.exec(Exec.of("id").user("nosuchuser"))).isInstanceOf(ContainerException.class)
                    .hasMessageContaining("unable to find user nosuchuser").hasMessageContaining("/etc/passwd");
        }
        try (Container c = Container.start(ContainerSpec.builder().user("nobody").build())) {
            assertThat(c.exec("id", "-u").stdout()).as("the spec's user is every command's default").isEqualTo("65534\n");
            assertThat(c.exec(Exec.of("id", "-u").user("0")).stdout()).isEqualTo("0\n");
            // HOME follows the user, from /etc/passwd (runc's rule), unless it is set.
            assertThat(c.exec("sh", "-c", "echo $HOME").stdout()).isEqualTo("/nonexistent\n");
            assertThat(c.exec(Exec.of("sh", "-c", "echo $HOME").user("root")).stdout()).isEqualTo("/root\n");
            assertThat(c.exec(Exec.of("sh", "-c", "echo $HOME").user("4242")).stdout()).as("a uid without an entry").isEqualTo("/\n");
            assertThat(c.exec(Exec.of("sh", "-c", "echo $HOME").env("HOME", "/tmp")).stdout()).isEqualTo("/tmp\n");
        }
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            assertThat(c.exec("sh", "-c", "echo $HOME").stdout()).as("no user: root's").isEqualTo("/root\n");
        }
        assertThat(Container.run(ContainerSpec.builder().user("nobody").build(), "id", "-u").stdout()).isEqualTo("65534\n");
    }

    @Test
    void aSymbolicLinkIsNotWrittenThroughAndTheErrorSaysWhereItPoints() throws Exception {
        Path source = Files.writeString(dir.resolve("new.conf"), "new");
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            c.exec("sh", "-c", "echo old > /root/real.conf && ln -s real.conf /root/link.conf");
            assertThatThrownBy(() -> c.copyTo("new".getBytes(StandardCharsets.UTF_8), "/root/link.conf"))
                    .isInstanceOf(ContainerException.class)
                    .hasMessageContaining("/root/link.conf is a symbolic link to real.conf, which is not written through");
            assertThatThrownBy(() -> c.copyTo(source, "/root/link.conf"))
                    .hasMessageContaining("/root/link.conf is a symbolic link to real.conf, which is not written through");
            assertThat(c.exec("cat", "/root/real.conf").stdout()).isEqualTo("old\n");
        }
    }

    @Test
    void readingAFifoOrADirectoryIsRefusedAtOnce() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            c.exec("mkfifo", "/root/fifo");
            // Preemptive: an open that waits for a writer would hang the test run, not fail it.
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                    assertThatThrownBy(() -> c.readFile("/root/fifo"))
                            .hasMessageContaining("/root/fifo in container " + c.id() + " is not a regular file"));
            assertThatThrownBy(() -> c.readFile("/root")).hasMessageContaining("is not a regular file");
        }
    }

    @Test
    void badExecOptionsAreRefusedAtOnce() {
        assertThatThrownBy(() -> Exec.of("x").user("a:b:c")).hasMessageContaining("user \"a:b:c\" is invalid");
        assertThatThrownBy(() -> Exec.of("x").workingDirectory("rel")).hasMessageContaining("absolute");
        assertThatThrownBy(() -> Exec.of("x").env("A=B", "c")).hasMessageContaining("\"A=B\"");
        assertThatThrownBy(() -> Exec.of("x").timeout(Duration.ZERO)).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> Exec.of()).hasMessageContaining("needs a command");
    }

    @Test
    void everyTimeoutThatIsNotPositiveIsRefusedWithAnExample() {
        assertThatThrownBy(() -> Wait.forPort(8080).within(Duration.ZERO))
                .hasMessage("wait timeout PT0S must be positive, such as Duration.ofSeconds(30)");
        assertThatThrownBy(() -> Container.runInteractive(ContainerSpec.builder().build(), Duration.ofSeconds(-1), "true"))
                .hasMessage("timeout (the most time the container may run) PT-1S must be positive, such as Duration.ofMinutes(5)");
        assertThatThrownBy(() -> ContainerSpec.builder().execTimeout(null))
                .hasMessage("exec timeout null must be positive, such as Duration.ofSeconds(30)");
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            BackgroundProcess sleeping = c.execInBackground("sleep", "30");
            assertThatThrownBy(() -> sleeping.await(Duration.ZERO)).hasMessage("timeout PT0S must be positive, such as Duration.ofSeconds(30)");
            assertThat(sleeping.isAlive()).as("a refused wait leaves the command alone").isTrue();
        }
    }

    /** docker cp's rule: a file copied onto an existing directory goes into it; the directory and what it held stay. */
    @Test
    void aFileCopiedOntoAHostDirectoryGoesIntoItAndADirectoryOntoAFileIsRefused() throws Exception {
        Path results = Files.createDirectories(dir.resolve("results"));
        Files.writeString(results.resolve("earlier.txt"), "keep me");
        Path file = Files.writeString(dir.resolve("a-file"), "keep me too");
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            dev.containerized.assertj.ContainerizedAssertions.assertThat(c.exec("sh", "-c", "echo report > /report.txt && mkdir /tree")).succeeded();
            c.copyFrom("/report.txt", results);
            assertThat(results.resolve("report.txt")).hasContent("report\n");
            assertThat(results.resolve("earlier.txt")).hasContent("keep me");
            assertThatThrownBy(() -> c.copyFrom("/tree", file)).hasMessageContaining("which is a file on the host");
            assertThat(file).hasContent("keep me too");
            // Into the directory, but not onto a directory of that name there: docker cp refuses that too.
            Files.createDirectories(results.resolve("tree"));
            Files.writeString(results.resolve("tree/inside"), "keep me as well");
            dev.containerized.assertj.ContainerizedAssertions.assertThat(c.exec("sh", "-c", "rmdir /tree && echo file > /tree")).succeeded();
            assertThatThrownBy(() -> c.copyFrom("/tree", results)).hasMessageContaining(results.resolve("tree") + " is a directory on the host");
            assertThat(results.resolve("tree/inside")).hasContent("keep me as well");
        }
    }

    /** A sparse file costs the container nothing; its copy costs the host's disk nothing either. */
    @Test
    void aSparseFileComesOutSparse() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            dev.containerized.assertj.ContainerizedAssertions.assertThat(c.exec("sh", "-c", "dd if=/dev/zero of=/big bs=1 count=0 seek=1G 2>/dev/null"
                    + " && printf middle | dd of=/big bs=1 seek=500000000 conv=notrunc 2>/dev/null")).succeeded();
            c.copyFrom("/big", dir.resolve("big"));
        }
        Path big = dir.resolve("big");
        assertThat(Files.size(big)).isEqualTo(1L << 30);
        try (var channel = java.nio.channels.FileChannel.open(big)) {
            java.nio.ByteBuffer middle = java.nio.ByteBuffer.allocate(6);
            channel.read(middle, 500_000_000L);
            assertThat(new String(middle.array(), StandardCharsets.US_ASCII)).isEqualTo("middle");
        }
        Process du = new ProcessBuilder("du", "-k", big.toString()).start();
        long kib = Long.parseLong(new String(du.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).split("\\s+")[0]);
        assertThat(kib).as("KiB the copy takes on the host's disk").isLessThan(1024);
    }

    /** A file of many names comes out once, with those names: 20 MiB linked ten times is 20 MiB on the host, not 200. */
    @Test
    void hardLinksComeOutAsHardLinks() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            dev.containerized.assertj.ContainerizedAssertions.assertThat(c.exec("sh", "-c", "mkdir -p /links/sub && head -c 20971520 /dev/urandom > /links/a"
                    + " && for i in 1 2 3 4 5 6 7 8 9; do ln /links/a /links/sub/a$i; done")).succeeded();
            c.copyFrom("/links", dir.resolve("links"));
        }
        for (int i = 1; i <= 9; i++) {
            assertThat(Files.isSameFile(dir.resolve("links/a"), dir.resolve("links/sub/a" + i))).isTrue();
        }
        assertThat(Files.size(dir.resolve("links/sub/a9"))).isEqualTo(20 << 20);
    }

    /** A tree with the container's own kernel filesystems in it (/dev/pts) comes out without them. */
    @Test
    void copyingATreeLeavesOutTheKernelsFilesystemsInIt() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            c.copyFrom("/dev", dir.resolve("dev"));
        }
        assertThat(dir.resolve("dev/shm")).isDirectory();
        assertThat(dir.resolve("dev/fd")).isSymbolicLink();
        assertThat(dir.resolve("dev/pts")).doesNotExist();
        assertThat(dir.resolve("dev/null")).doesNotExist();
    }

    /**
     * Names that are not UTF-8 come out as the bytes they are: two that decode alike (to U+FFFD) stay two
     * files, a directory's and a link's target too, and the link is still marked as a copy's.
     */
    @Test
    void namesThatAreNotTextComeOutByteForByte() throws Exception {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            dev.containerized.assertj.ContainerizedAssertions.assertThat(c.exec("sh", "-c", "mkdir /odd && cd /odd"
                    + " && echo one > \"$(printf 'a\\377b')\" && echo two > \"$(printf 'a\\376b')\""
                    + " && mkdir \"$(printf 'd\\377')\" && echo in > \"$(printf 'd\\377')/f\""
                    + " && ln -s \"$(printf 't\\377')\" link")).succeeded();
            c.copyFrom("/odd", dir.resolve("odd"));
        }
        try (dev.containerized.internal.linux.Fd odd = dev.containerized.internal.linux.Fcntl.open(dir.resolve("odd").toString(),
                dev.containerized.internal.linux.Fcntl.O_RDONLY | dev.containerized.internal.linux.Fcntl.O_DIRECTORY
                        | dev.containerized.internal.linux.Fcntl.O_CLOEXEC, 0)) {
            List<String> names = dev.containerized.internal.linux.Dirents.list(odd).stream()
                    .map(e -> new String(e.name(), StandardCharsets.ISO_8859_1)).sorted().toList();
            assertThat(names).containsExactly("a\u00feb", "a\u00ffb", "d\u00ff", "link");
            try (dev.containerized.internal.linux.Fd link = dev.containerized.internal.linux.Dirents.openBeneath(odd,
                    "link".getBytes(StandardCharsets.US_ASCII), dev.containerized.internal.linux.Fcntl.O_PATH
                            | dev.containerized.internal.linux.Fcntl.O_NOFOLLOW)) {
                assertThat(dev.containerized.internal.linux.Dirents.readlink(link)).isEqualTo(new byte[] {'t', (byte) 0xff});
            }
        }
        assertThat(dev.containerized.internal.linux.Xattrs.has(dir.resolve("odd/link").toString(), "trusted.containerized.copied-link"))
                .isTrue();
    }

    /**
     * The same way in: the host's names that are not UTF-8 go into the container as the bytes they are
     * (two that decode alike stay two files), a directory's and a link's target too.
     */
    @Test
    void namesThatAreNotTextGoInByteForByte() throws Exception {
        Path odd = Files.createDirectories(dir.resolve("odd"));
        Process made = new ProcessBuilder("sh", "-c", "cd \"$1\" && echo one > \"$(printf 'a\\377b')\" && echo two > \"$(printf 'a\\376b')\""
                + " && mkdir \"$(printf 'd\\377')\" && echo in > \"$(printf 'd\\377')/f\" && ln -s \"$(printf 't\\377')\" link",
                "sh", odd.toString()).redirectErrorStream(true).start();
        assertThat(made.waitFor()).as(new String(made.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            c.copyTo(odd, "/odd");
            // od -An -c prints each byte (\377 as 377): the names as the kernel has them.
            ExecResult listed = c.exec("sh", "-c", "cd /odd && for f in *; do printf '%s' \"$f\" | od -An -c | tr -s ' '; "
                    + "[ -L \"$f\" ] && readlink \"$f\" | od -An -c | tr -s ' '; [ -f \"$f\" ] && cat \"$f\"; "
                    + "[ -d \"$f\" ] && cat \"$f/f\"; done");
            assertThat(listed.stdout()).isEqualTo(" a 376 b\ntwo\n a 377 b\none\n d 377\nin\n l i n k\n t 377 \\n\n");
        }
    }

    /**
     * A host file whose own name is not UTF-8, as Files.list gives it, is copied too, and into a
     * directory under that name: its Path's text has U+FFFD there, which names no file.
     */
    @Test
    void aHostFileWhoseOwnNameIsNotTextIsCopiedByItsBytes() throws Exception {
        Path odd = Files.createDirectories(dir.resolve("odd-names"));
        Process made = new ProcessBuilder("sh", "-c", "cd \"$1\" && echo inside > \"$(printf 'f\\377.bin')\"", "sh", odd.toString())
                .redirectErrorStream(true).start();
        assertThat(made.waitFor()).isZero();
        Path file;
        try (java.util.stream.Stream<Path> listed = Files.list(odd)) {
            file = listed.findFirst().orElseThrow();
        }
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            dev.containerized.assertj.ContainerizedAssertions.assertThat(c.exec("mkdir", "/t")).succeeded();
            c.copyTo(file, "/t/");
            c.copyTo(file, "/named");
            ExecResult seen = c.exec("sh", "-c", "cd /t && for f in *; do printf '%s' \"$f\" | od -An -c | tr -s ' '; cat \"$f\"; done; cat /named");
            assertThat(seen.stdout()).isEqualTo(" f 377 . b i n\ninside\ninside\n");
        }
    }

    /** A path of another filesystem (a zip file's) is refused: its text would name another file on the host. */
    @Test
    void aPathOfAnotherFilesystemIsRefused() throws Exception {
        Path zip = dir.resolve("fixtures.zip");
        try (java.nio.file.FileSystem zipped = java.nio.file.FileSystems.newFileSystem(zip, java.util.Map.of("create", "true"))) {
            Path inside = Files.writeString(zipped.getPath("/config.yml"), "in the zip");
            try (Container c = Container.start(ContainerSpec.builder().build())) {
                assertThatThrownBy(() -> c.copyTo(inside, "/config.yml")).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("not of the host's filesystem").hasMessageContaining("Files.copy");
                assertThatThrownBy(() -> c.copyFrom("/etc/hostname", zipped.getPath("/hostname")))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not of the host's filesystem");
            }
        }
    }

    /** A host file bound onto the target cannot be replaced by a rename: said so, and the file under it left alone. */
    @Test
    void copyFromOntoAFileBoundOnTheHostIsRefusedWithTheFix() throws Exception {
        Path backing = Files.writeString(dir.resolve("backing"), "the bound file");
        Path target = Files.writeString(dir.resolve("target"), "");
        assertThat(new ProcessBuilder("mount", "--bind", backing.toString(), target.toString()).start().waitFor()).isZero();
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            dev.containerized.assertj.ContainerizedAssertions.assertThat(c.exec("sh", "-c", "echo result > /result")).succeeded();
            assertThatThrownBy(() -> c.copyFrom("/result", target))
                    .hasMessageContaining("target on the host is a mount point (a file bound there), which copyFrom cannot replace")
                    .hasMessageContaining("copy to another path, or unmount it first");
        } finally {
            assertThat(new ProcessBuilder("umount", target.toString()).start().waitFor()).isZero();
        }
        assertThat(backing).hasContent("the bound file");
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".containerized-copy-"));
    }

    /** What copyFrom does not copy, named as the copy's own item, is refused, not passed over in silence. */
    @Test
    void copyFromOfAFifoOrADeviceIsRefused() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            dev.containerized.assertj.ContainerizedAssertions.assertThat(c.exec("sh", "-c", "mkfifo /fifo && mknod /node c 1 3"))
                    .succeeded();
            assertThatThrownBy(() -> c.copyFrom("/fifo", dir.resolve("fifo"))).hasMessageContaining("it is a fifo, and copyFrom copies");
            assertThatThrownBy(() -> c.copyFrom("/fifo", dir.resolve("made/for/it"))).hasMessageContaining("it is a fifo");
            assertThat(dir.resolve("made")).as("no directory made for what is refused").doesNotExist();
            assertThatThrownBy(() -> c.copyFrom("/node", dir.resolve("node"))).hasMessageContaining("it is a device, and copyFrom copies");
            assertThatThrownBy(() -> c.copyFrom("/dev/null", dir.resolve("null"))).hasMessageContaining("it is a device");
        }
        assertThat(dir.resolve("fifo")).doesNotExist();
        assertThat(dir.resolve("node")).doesNotExist();
    }

    /** A fifo where copyTo writes would hold its open until a reader came: refused at once instead. */
    @Test
    void copyToOntoAFifoOfTheContainersIsRefusedAtOnce() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            dev.containerized.assertj.ContainerizedAssertions.assertThat(c.exec("mkfifo", "/target")).succeeded();
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                    assertThatThrownBy(() -> c.copyTo("x".getBytes(StandardCharsets.UTF_8), "/target"))
                            .hasMessageContaining("/target is a fifo the container made, not a regular file"));
            assertThatThrownBy(() -> c.copyTo("x".getBytes(StandardCharsets.UTF_8), "/etc"))
                    .hasMessageContaining("/etc is a directory, not a regular file").hasMessageContaining("EISDIR");
        }
    }

    /**
     * copyTo wrote a sparse file's holes out as zeros (100 MiB of a tmpfs, charged
     * to the test JVM, not to the container) and made two files of one with two names. Both go in as
     * they come out with copyFrom.
     */
    @Test
    void copyToKeepsHolesAndHardLinks() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        try (java.io.RandomAccessFile sparse = new java.io.RandomAccessFile(tree.resolve("sparse").toFile(), "rw")) {
            sparse.setLength(100L << 20);
            sparse.seek(50L << 20);
            sparse.write("middle".getBytes(StandardCharsets.US_ASCII));
        }
        Files.writeString(tree.resolve("one"), "one file, two names");
        Files.createLink(tree.resolve("two"), tree.resolve("one"));
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            c.copyTo(tree, "/tmp/tree");
            ExecResult seen = c.exec("sh", "-c", "cd /tmp/tree && du -k sparse | cut -f1 && stat -c %s sparse && "
                    + "dd if=sparse bs=1048576 skip=50 count=1 2>/dev/null | head -c 6 && echo && stat -c '%i %h' one two && cat two");
            String[] lines = seen.stdout().split("\n");
            assertThat(Long.parseLong(lines[0])).as("KiB the sparse file takes: " + seen.stdout()).isLessThan(1024);
            assertThat(lines[1]).isEqualTo(Long.toString(100L << 20));
            assertThat(lines[2]).isEqualTo("middle");
            assertThat(lines[3]).endsWith(" 2");
            assertThat(lines[3]).isEqualTo(lines[4]);
            assertThat(lines[5]).isEqualTo("one file, two names");
        }
        // Two names that land on two mounts cannot be one file there: the second is copied whole.
        Path across = Files.createDirectories(dir.resolve("across"));
        Files.createDirectories(across.resolve("a"));
        Files.createDirectories(across.resolve("b"));
        Files.writeString(across.resolve("a/x"), "linked");
        Files.createLink(across.resolve("b/y"), across.resolve("a/x"));
        try (Container c = Container.start(ContainerSpec.builder().mount(Mount.tmpfs("/mnt/b", "1m")).build())) {
            c.copyTo(across, "/mnt");
            assertThat(c.readString("/mnt/a/x")).isEqualTo("linked");
            assertThat(c.readString("/mnt/b/y")).isEqualTo("linked");
        }
    }

    /**
     * What a copy does to what is there does not hang on how many names the host's file has: a file with
     * two names there was written by unlinking the container's first (a bound file refused). A file of the
     * container is replaced, as docker cp replaces it (its other name keeps the old content: the copy is
     * written aside and renamed into place, review27 #3), and a file bound into the container is written
     * in place; a directory copied onto one that is there leaves it its own mode (a copy into /tmp made it
     * 0700); a link copied onto a file replaces it (EEXIST before), as a file does.
     */
    @Test
    void aCopyTreatsWhatIsThereAlikeWhateverItsSourceIs() throws Exception {
        Path bound = Files.writeString(dir.resolve("bound"), "before");
        Path twoNames = Files.writeString(dir.resolve("two"), "new content");
        Files.createLink(dir.resolve("two-again"), twoNames);
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.writeString(tree.resolve("in-tmp"), "x");
        Files.setPosixFilePermissions(tree, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("/etc/hostname"));
        Path readOnly = Files.writeString(dir.resolve("read-only"), "kept");
        try (Container c = Container.start(ContainerSpec.builder().mount(Mount.bind(bound, "/etc/app.conf").readWrite())
                .mount(Mount.bind(readOnly, "/ro.conf")).build())) {
            dev.containerized.assertj.ContainerizedAssertions.assertThat(c.exec("sh", "-c",
                    "echo old > /srv-cfg && ln /srv-cfg /srv-cfg-other && echo file > /was-a-file")).succeeded();
            c.copyTo(twoNames, "/etc/app.conf");
            c.copyTo(twoNames, "/srv-cfg");
            c.copyTo(tree, "/tmp");
            c.copyTo(link, "/was-a-file");
            assertThat(bound).hasContent("new content");
            assertThat(c.exec("sh", "-c", "cat /srv-cfg; echo; cat /srv-cfg-other; stat -c %a /tmp; cat /tmp/in-tmp; echo; readlink /was-a-file")
                    .stdout()).isEqualTo("new content\nold\n1777\nx\n/etc/hostname\n"); // the copied files have no newline
            // What cannot be done says where, not which descriptor.
            assertThatThrownBy(() -> c.copyTo("x".getBytes(StandardCharsets.UTF_8), "/ro.conf"))
                    .hasMessageContaining("open(/ro.conf) for writing").hasMessageContaining("EROFS");
            assertThatThrownBy(() -> c.copyTo(tree, "/srv-cfg")).hasMessageContaining("mkdir(\"/srv-cfg\"): a file of that name is there");
        }
    }

    /**
     * Hard links stay links however many files have them: past 1,024 such files every name was copied
     * whole, so a container could turn a file with many names into many times its size on the host.
     */
    @Test
    void hardLinksStayLinksPastAThousandLinkedFiles() throws Exception {
        Path out = dir.resolve("out");
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            dev.containerized.assertj.ContainerizedAssertions.assertThat(c.exec("sh", "-c", "mkdir -p /t/many /t/big && cd /t/many"
                    + " && for i in $(seq 1100); do : > f$i; ln f$i g$i; done && cd /t/big"
                    + " && dd if=/dev/zero of=n0 bs=1024 count=1024 2>/dev/null && for i in $(seq 49); do ln n0 n$i; done")).succeeded();
            c.copyFrom("/t", out);
        }
        java.util.Set<Object> inodes = new java.util.HashSet<>();
        for (int i = 0; i < 50; i++) {
            inodes.add(Files.getAttribute(out.resolve("big/n" + i), "unix:ino"));
        }
        assertThat(inodes).as("inodes of the 50 names of one file").hasSize(1);
        assertThat(Files.getAttribute(out.resolve("many/f1100"), "unix:ino")).isEqualTo(Files.getAttribute(out.resolve("many/g1100"), "unix:ino"));
    }

    /**
     * The same the other way: names of one file that land on three host mounts are one copy per mount,
     * not a failed copy (EXDEV), nor one copy per name: a name that cannot be linked to the copy made so
     * far starts a new group (so a file with more names than ext4 links, 65,000, makes a copy per 65,000).
     */
    @Test
    void copyFromCopiesALinkWholeWhereItCannotBeOne() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        List<Path> mounts = List.of(Files.createDirectories(out.resolve("b")), Files.createDirectories(out.resolve("c")));
        for (Path m : mounts) {
            assertThat(new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", m.toString()).start().waitFor()).isZero();
        }
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            dev.containerized.assertj.ContainerizedAssertions.assertThat(c.exec("sh", "-c", "mkdir -p /t/a /t/b /t/c"
                    + " && echo linked > /t/a/x && ln /t/a/x /t/b/y && ln /t/a/x /t/b/z && ln /t/a/x /t/c/u && ln /t/a/x /t/c/v"))
                    .succeeded();
            c.copyFrom("/t", out);
            for (String name : List.of("a/x", "b/y", "b/z", "c/u", "c/v")) {
                assertThat(out.resolve(name)).hasContent("linked");
            }
            assertThat(Files.getAttribute(out.resolve("b/z"), "unix:ino")).isEqualTo(Files.getAttribute(out.resolve("b/y"), "unix:ino"));
            assertThat(Files.getAttribute(out.resolve("c/v"), "unix:ino")).isEqualTo(Files.getAttribute(out.resolve("c/u"), "unix:ino"));
        } finally {
            for (Path m : mounts) {
                assertThat(new ProcessBuilder("umount", m.toString()).start().waitFor()).as("umount " + m).isZero();
            }
        }
    }

    /**
     * As docker cp and cp: a file copied onto a directory goes into it; a target ending in "/" names a
     * directory, which must be there (the slash was dropped, and a file named like the directory made, or
     * a file there replaced); a directory copied onto one is merged into it.
     */
    @Test
    void copyToADirectoryAndToAPathEndingInASlash() throws Exception {
        Path file = Files.writeString(dir.resolve("conf.yml"), "key: value");
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.writeString(tree.resolve("new"), "new");
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            dev.containerized.assertj.ContainerizedAssertions.assertThat(c.exec("sh", "-c",
                    "mkdir -p /opt/app /data && echo old > /data/keep && echo file > /srv-file")).succeeded();

            c.copyTo(file, "/opt/app");
            c.copyTo(file, "/data/");
            c.copyTo(file, "/");
            assertThat(c.readString("/opt/app/conf.yml")).isEqualTo("key: value");
            assertThat(c.readString("/data/conf.yml")).isEqualTo("key: value");
            assertThat(c.readString("/conf.yml")).isEqualTo("key: value");

            assertThatThrownBy(() -> c.copyTo(file, "/missing/")).hasMessageContaining("the target ends with \"/\", so it names "
                    + "a directory, and there is none");
            assertThatThrownBy(() -> c.copyTo(file, "/srv-file/")).hasMessageContaining("so it names a directory, and what is there is not one");
            assertThatThrownBy(() -> c.copyTo("x".getBytes(StandardCharsets.UTF_8), "/opt/")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("ends with \"/\", so it names a directory");
            assertThat(c.exec("sh", "-c", "cat /srv-file; ls -d /missing").stdout()).isEqualTo("file\n");

            c.copyTo(tree, "/data");
            assertThat(c.exec("sh", "-c", "ls /data").stdout()).isEqualTo("conf.yml\nkeep\nnew\n");
            c.copyTo(tree, "/made-for-it/"); // a directory to a path ending in "/": made, as docker cp does
            assertThat(c.readString("/made-for-it/new")).isEqualTo("new");

            // Below the target, a directory does not go onto the container's link, and the message says so.
            dev.containerized.assertj.ContainerizedAssertions.assertThat(c.exec("sh", "-c",
                    "mkdir -p /linked/elsewhere && ln -s /linked/elsewhere /linked/sub")).succeeded();
            Files.createDirectories(tree.resolve("sub"));
            assertThatThrownBy(() -> c.copyTo(tree, "/linked")).hasMessageContaining("/linked/sub in container " + c.id()
                    + " is a symbolic link to /linked/elsewhere, and copyTo does not merge a directory into a link below its target");
        }
    }

    /** /deep/d/d/…: 2000 levels, 4005 bytes of path, and then {@code atTheBottom} run there. */
    private static void makeDeepTree(Container c, String atTheBottom) {
        dev.containerized.assertj.ContainerizedAssertions.assertThat(c.exec("sh", "-c",
                "set -e; mkdir /deep; cd /deep; i=0; while [ $i -lt 2000 ]; do mkdir d; cd d; i=$((i+1)); done; " + atTheBottom))
                .succeeded();
    }

    /** A tree as deep as paths go comes out whole, on the host deeper than its PATH_MAX: the copy goes by descriptors. */
    @Test
    void aTreeAsDeepAsPathsGoIsCopiedOut() throws Exception {
        Path out = dir.resolve("deep");
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            makeDeepTree(c, "echo bottom > f");
            c.copyFrom("/deep", out);
        }
        try {
            Process find = new ProcessBuilder("sh", "-c", "find " + out + " -type d | wc -l; find " + out + " -name f -exec cat {} +")
                    .start();
            assertThat(new String(find.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("2001\nbottom\n");
        } finally {
            new ProcessBuilder("rm", "-rf", out.toString()).start().waitFor(); // deeper than JUnit's @TempDir removal goes
        }
    }

    /** A tree as deep as paths go (2000 levels, 4000 bytes of path) is listed whole. */
    /** Attack run 6, F4: names cost the container only disk, and each was a String of the test JVM's heap. */
    @Test
    void changesRefusesMoreThanAHundredThousandEntriesAndSaysWhatToDoInstead() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            c.exec("sh", "-c", "mkdir /many && cd /many && seq 100001 | xargs touch");
            assertThatThrownBy(c::changes).isInstanceOf(ContainerException.class)
                    .hasMessageStartingWith("the container changed more than 100000 entries in its root filesystem")
                    .hasMessageContaining("exec(\"find\", \"/var/lib/app\")");
            c.exec("rm", "-r", "/many");
            assertThat(c.changes()).noneMatch(change -> change.path().startsWith("/many"));
        }
    }

    @Test
    void changesListATreeAsDeepAsPathsGo() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            makeDeepTree(c, "true");
            List<Change> changes = c.changes();
            assertThat(changes.stream().filter(change -> change.path().startsWith("/deep/d"))).hasSize(2000);
            assertThat(changes.stream().mapToInt(change -> change.path().length()).max()).hasValue("/deep".length() + 2000 * 2);
        }
    }
}
