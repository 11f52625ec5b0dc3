package com.example.talk;

import dev.containerized.container.Container;
import dev.containerized.container.Exec;
import dev.containerized.junit.Containerized;
import dev.containerized.junit.Mount;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * This project's own program (src/app), run inside a container through a read-only bind mount, as an
 * unprivileged user, on files a test puts in and reads out.
 */
@Containerized(user = "nobody", readOnlyRootfs = true)
@Mount(source = "src/app", target = "/opt/app")
class YourProgramInsideTests {

    @Test
    void countsTheWordsOfItsStdin(Container container) {
        assertThat(container.exec(Exec.of("/opt/app/word-count.sh").stdin("one two three\nfour\n")))
                .succeeded().stdout().isEqualTo("4\n");
    }

    @Test
    void countsFilesTheTestCopiedIn(Container container) {
        container.copyTo("a b c\n".getBytes(), "/tmp/in/abc.txt");
        assertThat(container.exec("/opt/app/word-count.sh", "/tmp/in/abc.txt"))
                .succeeded().stdout().isEqualTo("3 /tmp/in/abc.txt\n");
    }

    @Test
    void writesWhereTheTestReadsOnTheHost(Container container, @TempDir Path out) throws Exception {
        container.exec("sh", "-c", "/opt/app/word-count.sh /opt/app/word-count.sh > /tmp/report.txt");
        container.copyFrom("/tmp/report.txt", out.resolve("report.txt"));
        assertThat(Files.readString(out.resolve("report.txt"))).endsWith(" /opt/app/word-count.sh\n");
    }

    @Test
    void cannotChangeItselfOrTheSystem(Container container) {
        // Even root inside: the mount is read-only, and so is the root filesystem.
        assertThat(container.exec(Exec.of("sh", "-c", "echo x >> /opt/app/word-count.sh").user("0")))
                .stderr().contains("Read-only file system");
        assertThat(container.exec(Exec.of("touch", "/etc/passwd").user("0"))).stderr().contains("Read-only file system");
    }
}
