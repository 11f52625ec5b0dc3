package dev.containerized.cli;

import dev.containerized.container.Leaks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The run command line, as a user runs it: a separate JVM, its exit status and its output. */
class MainTests {
    record Run(int status, String stdout, String stderr) {
    }

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void runsTheCommandAsPid1AndPassesItsStatusOn() throws Exception {
        Run run = cli("run", "--hostname", "cli-box", "--pids-max", "20", "--memory", "64m", "--",
                "sh", "-c", "echo pid=$$; hostname; exit 7");
        assertThat(run.status).as(run.stderr).isEqualTo(7);
        assertThat(run.stdout).isEqualTo("pid=1\ncli-box\n");
    }

    @Test
    void volumesTmpfsAReadOnlyRootAndAUserComeFromFlags(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("in.txt"), "host file\n");
        Files.setAttribute(dir, "unix:mode", 0777);
        Run run = cli("run", "-v", dir + ":/in", "-v", dir + ":/out:rw", "--tmpfs", "/cache:1m", "--read-only", "-u", "nobody", "--",
                "sh", "-c", "cat /in/in.txt; echo w > /out/w.txt; touch /in/x 2>&1 | grep -c Read-only; touch /etc/x 2>&1 | grep -c Read-only; "
                        + "echo c > /cache/c && cat /cache/c; id -u");
        assertThat(run.stdout).as(run.stderr).isEqualTo("host file\n1\n1\nc\n65534\n");
        assertThat(Files.readString(dir.resolve("w.txt"))).isEqualTo("w\n");
        assertThat(cli("run", "-v", "/nope:/x", "--", "true").stderr).contains("bind mount source /nope does not exist");
        assertThat(cli("run", "-v", "justone", "--", "true").stderr).contains("-v takes HOST:CONTAINER");
    }

    @Test
    void badUsageSaysWhatIsWrongAndExits2() throws Exception {
        assertThat(cli("run", "--pids-max", "many", "--", "sh")).satisfies(r -> {
            assertThat(r.status).isEqualTo(2);
            assertThat(r.stderr).contains("--pids-max needs a whole number, got 'many'").contains("usage:");
        });
        assertThat(cli("run", "--hostname", "x").stderr).contains("no command");
        assertThat(cli("run", "--memory", "lots", "--", "sh").stderr).contains("\"lots\" does not parse");
        assertThat(cli("launch").stderr).contains("expected the command 'run'");
        assertThat(cli("run", "--bogus", "--", "true")).satisfies(r -> {
            assertThat(r.status).isEqualTo(2);
            assertThat(r.stderr).startsWith("containerized: unknown option --bogus\n").contains("usage:");
        });
        assertThat(cli("run", "--rootfs", "/no/such/rootfs", "--", "sh").stderr).contains("/no/such/rootfs does not exist");
    }

    @Test
    void theTerminalIsPassedThroughSoShIsInteractive() throws Exception {
        // script(1) gives the CLI a pseudo-terminal, as a user's shell would.
        String cli = String.join(" ", javaCommand()) + " run --hostname tty-box -- /bin/sh";
        Process script = new ProcessBuilder("script", "-qefc", cli, "/dev/null").redirectErrorStream(true).start();
        script.getOutputStream().write("[ -t 0 ] && [ -t 1 ] && echo \"tty=yes pid=$$\"; hostname; exit 5\n"
                .getBytes(StandardCharsets.UTF_8));
        script.getOutputStream().flush();
        assertThat(script.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(output).contains("tty=yes pid=1").contains("tty-box");
        assertThat(script.exitValue()).as(output).isEqualTo(5);
    }

    static Run cli(String... args) throws IOException, InterruptedException {
        List<String> command = javaCommand();
        command.addAll(List.of(args));
        Path out = Files.createTempFile("cli", ".out");
        Path err = Files.createTempFile("cli", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static List<String> javaCommand() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        return command;
    }
}
