package dev.containerized.internal.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** openat2OrNull: null only for a path that is not there; every other failure is still an error with its errno. */
class FcntlTests {
    @TempDir
    Path dir;

    private static final long BENEATH = Fcntl.RESOLVE_BENEATH | Fcntl.RESOLVE_NO_SYMLINKS;

    @Test
    void aPresentPathOpensAMissingOneIsNullAndALinkIsRefused() throws Exception {
        Files.writeString(dir.resolve("here"), "x");
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("here"));
        try (Fd top = Fcntl.open(dir.toString(), Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0)) {
            try (Fd here = Fcntl.openat2OrNull(top, "here", Fcntl.O_PATH | Fcntl.O_CLOEXEC, BENEATH, "here")) {
                assertThat(here).isNotNull();
                assertThat(Fcntl.fileType(here)).isEqualTo(Fcntl.S_IFREG);
            }
            assertThat(Fcntl.openat2OrNull(top, "missing/deeper", Fcntl.O_PATH | Fcntl.O_CLOEXEC, BENEATH, "missing")).isNull();
            assertThatThrownBy(() -> Fcntl.openat2OrNull(top, "link", Fcntl.O_PATH | Fcntl.O_CLOEXEC, BENEATH, "link"))
                    .isInstanceOfSatisfying(LinuxException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ELOOP));
            assertThatThrownBy(() -> Fcntl.openat2OrNull(top, "../" + dir.getFileName(), Fcntl.O_PATH | Fcntl.O_CLOEXEC, BENEATH, "up"))
                    .isInstanceOfSatisfying(LinuxException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EXDEV))
                    .hasMessageContaining("openat2(\"up\")");
        }
    }
}
