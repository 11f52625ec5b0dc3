package dev.containerized.junit;

import dev.containerized.container.host.HostSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** An unsupported host for real: the fixtures run in a JVM that is not root. */
class HostSupportTests {
    @TempDir
    Path dir;

    @Test
    void thisRootHostIsSupported() {
        assertThat(HostSupport.problem()).isEmpty();
    }

    @Test
    void withoutRootATestIsSkippedWhenAskedAndFailsOtherwiseNamingTheFix() throws Exception {
        String output = runAs(List.of("--reuid=65534", "--regid=65534", "--clear-groups"),
                UnprivilegedTestCases.Skips.class.getName(), UnprivilegedTestCases.Fails.class.getName());

        assertThat(output).contains("SKIPPED " + UnprivilegedTestCases.Skips.class.getName() + ": Containerized needs root (CAP_SYS_ADMIN)")
                .contains("this process runs as uid 65534").contains("Run the tests as root");
        // JUnit's "Failed to resolve parameter [...]" first, then ours.
        assertThat(output.lines().filter(l -> l.startsWith("FAILED test(Container): ")))
                .singleElement().asString().contains(": @Containerized on class " + UnprivilegedTestCases.Fails.class.getName()
                        + ": Containerized needs root (CAP_SYS_ADMIN)");
        assertThat(output).doesNotContain("SUCCESSFUL");
    }

    @Test
    void theJavaApiSaysItNeedsRootBeforeItBuildsTheRootfs() throws Exception {
        String output = runAs(List.of("--reuid=65534", "--regid=65534", "--clear-groups"), UnprivilegedTestCases.JavaApi.class.getName());
        assertThat(output).contains("PASSED ").contains("startAndRunSayTheyNeedRoot").contains("1 passed, 0 failed");
    }

    @Test
    void theSkipReasonIsSaidOnceOnTheConsole() throws Exception {
        String output = runAs(List.of("--reuid=65534", "--regid=65534", "--clear-groups"),
                UnprivilegedTestCases.Skips.class.getName(), UnprivilegedTestCases.AlsoSkips.class.getName());

        assertThat(output).contains("SKIPPED " + UnprivilegedTestCases.AlsoSkips.class.getName());
        assertThat(output.lines().filter(l -> l.startsWith("[containerized] "))).containsExactly("[containerized] Skipping the "
                + "tests that need a container (whenUnsupported = SKIP): Containerized needs root (CAP_SYS_ADMIN) to create "
                + "namespaces, cgroups and mounts; this process runs as uid 65534. Run the tests as root, e.g. in a privileged CI container.");
    }

    @Test
    void rootWithoutCapSysAdminIsToldWhatIsMissing() throws Exception {
        // Root in an unprivileged container: uid 0, but no CAP_SYS_ADMIN.
        String output = runAs(List.of("--bounding-set=-sys_admin", "--inh-caps=-sys_admin"),
                UnprivilegedTestCases.Skips.class.getName());
        assertThat(output).contains("SKIPPED " + UnprivilegedTestCases.Skips.class.getName()
                + ": Containerized needs CAP_SYS_ADMIN").contains("run it privileged");
    }

    /** Copies the test classpath where user nobody can read it, and runs the fixtures through setpriv(1). */
    private String runAs(List<String> setpriv, String... fixtures) throws IOException, InterruptedException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> classpath = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(":")) {
            Path source = Path.of(entry);
            if (!Files.exists(source)) {
                continue;
            }
            Path copy = dir.resolve("cp" + n++ + (Files.isDirectory(source) ? "" : ".jar"));
            copyTree(source, copy);
            classpath.add(copy.toString());
        }
        List<String> command = new ArrayList<>(List.of("setpriv"));
        command.addAll(setpriv);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Duser.home=" + dir,
                "-cp", String.join(":", classpath), dev.containerized.TestClassRunner.class.getName()));
        command.addAll(List.of(fixtures));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return output;
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path t = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.setPosixFilePermissions(t, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }
}
