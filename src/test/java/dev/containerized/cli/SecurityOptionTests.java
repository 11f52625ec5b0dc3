package dev.containerized.cli;

import dev.containerized.container.Leaks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static dev.containerized.cli.MainTests.cli;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code run --security-opt seccomp=...}, Docker's spelling, in a separate JVM as a user runs it. */
class SecurityOptionTests {
    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void dockersProfileUnlessUnconfinedOrAFileIsGiven() throws Exception {
        assertThat(cli("run", "--", "grep", "^Seccomp:", "/proc/self/status").stdout()).isEqualTo("Seccomp:\t2\n");
        assertThat(cli("run", "--security-opt", "seccomp=default", "--", "unshare", "-U", "-r", "true"))
                .satisfies(r -> assertThat(r.status()).isEqualTo(1))
                .satisfies(r -> assertThat(r.stderr()).contains("Operation not permitted"));
        assertThat(cli("run", "--security-opt", "seccomp=unconfined", "--", "grep", "^Seccomp:", "/proc/self/status").stdout())
                .isEqualTo("Seccomp:\t0\n");
        String profile = Path.of("src/test/resources/dev/containerized/junit/refuse-mkdir.json").toAbsolutePath().toString();
        MainTests.Run refused = cli("run", "--security-opt", "seccomp=" + profile, "--", "mkdir", "/made");
        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.stderr()).contains("Permission denied");
    }

    @Test
    void otherOptionsAndMissingProfilesAreNamedWithTheFix() throws Exception {
        MainTests.Run apparmor = cli("run", "--security-opt", "apparmor=unconfined", "--", "true");
        assertThat(apparmor.status()).isEqualTo(2);
        assertThat(apparmor.stderr()).contains("--security-opt apparmor=unconfined is not supported: the one security option is"
                + " seccomp=default, seccomp=unconfined or seccomp=PROFILE.json").contains("usage:");
        MainTests.Run missing = cli("run", "--security-opt", "seccomp=/no/such/profile.json", "--", "true");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.stderr()).contains("seccomp profile /no/such/profile.json does not exist: write \"default\", \"unconfined\"");
    }
}
