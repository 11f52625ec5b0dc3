package dev.containerized.cli;

import dev.containerized.container.Leaks;
import dev.containerized.internal.json.Json;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        assertThat(cli()).satisfies(r -> assertThat(r.status).isEqualTo(2));
        for (String help : new String[] {"--help", "-h"}) {
            assertThat(cli(help)).as(help + ": asked for, so success on stdout").satisfies(r -> {
                assertThat(r.status).isZero();
                assertThat(r.stdout).contains("usage:");
            });
        }
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

    @Test
    void aCleanRunExits0WithItsFiguresAndPassingReports(@TempDir Path dir) throws Exception {
        Run run = cli("run", "--pids-limit", "20", "--memory", "64m", "--fail-on-limit", "--report", dir + "/r.json",
                "--junit-xml", dir + "/TEST-run.xml", "--", "sh", "-c", "echo hi");
        assertThat(run.status).as(run.stderr).isZero();
        assertThat(run.stdout).isEqualTo("hi\n");
        assertThat(run.stderr).matches("containerized: pids peak [12]/20; memory peak [0-9.]+/64 MiB; [0-9.]+ s\n");
        Map<String, Object> report = report(dir);
        assertThat(report).containsEntry("exitStatus", 0L).containsEntry("exitCode", 0L).containsEntry("limitHit", false)
                .containsEntry("command", List.of("sh", "-c", "echo hi"));
        assertThat(figures(report, "pids")).containsEntry("limit", 20L).containsEntry("forksRefused", 0L);
        assertThat(figures(report, "memory")).containsEntry("limitBytes", 64L << 20).containsEntry("oomKills", 0L);
        assertThat((Long) figures(report, "memory").get("peakBytes")).isPositive().isLessThanOrEqualTo(64L << 20);
        String xml = Files.readString(dir.resolve("TEST-run.xml"));
        JunitXml.assertSameShapeAsSurefire(xml);
        Document junit = JunitXml.parse(xml);
        assertThat(junit.getDocumentElement().getAttribute("failures")).isEqualTo("0");
        assertThat(CiReportsTests.only(junit, "system-out").getTextContent()).isEqualTo("hi\n");
    }

    @Test
    void aContainedForkBombExits3WithFailOnLimitEvenWhenTheCommandExits0(@TempDir Path dir) throws Exception {
        // PID 1 waits 2 s while a subshell bombs: a PID 1 that exits ends its container, bomb and all, at once.
        String bomb = "sleep 2 & s=$!; (:(){ :|:& };:) & wait $s";
        Run lenient = cli("run", "--pids-limit", "20", "--timeout", "60s", "--report", dir + "/lenient.json", "--", "bash", "-c", bomb);
        assertThat(lenient.status).as(lenient.stderr).isZero();
        assertThat(lenient.stderr).containsPattern("containerized: pids peak 20/20, [0-9]+ forks refused; memory peak [0-9.]+ MiB; [0-9.]+ s\n$");

        Run strict = cli("run", "--pids-limit", "20", "--timeout", "60s", "--fail-on-limit", "--report", dir + "/r.json",
                "--junit-xml", dir + "/TEST-run.xml", "--", "bash", "-c", bomb);
        assertThat(strict.status).as(strict.stderr).isEqualTo(3);
        assertThat(strict.stderr).containsPattern("forks refused; .*; exit 3: a limit was hit \\(--fail-on-limit\\)\n$");
        Map<String, Object> report = report(dir);
        assertThat(report).containsEntry("exitStatus", 3L).containsEntry("exitCode", 0L).containsEntry("limitHit", true);
        assertThat(figures(report, "pids")).containsEntry("peak", 20L).containsEntry("limit", 20L);
        assertThat((Long) figures(report, "pids").get("forksRefused")).isPositive();
        String xml = Files.readString(dir.resolve("TEST-run.xml"));
        JunitXml.assertSameShapeAsSurefire(xml);
        Element failure = CiReportsTests.only(JunitXml.parse(xml), "failure");
        assertThat(failure.getAttribute("type")).isEqualTo("containerized.LimitHit");
        assertThat(failure.getAttribute("message")).matches("the pids limit of 20 refused [0-9]+ forks");

        // The talk's one-liner as it is: its PID 1 exits at once, ending the bomb; whatever it reached, it stayed under the cap.
        Run oneLiner = cli("run", "--pids-limit", "20", "--fail-on-limit", "--report", dir + "/r.json", "--", "bash", "-c", ":(){ :|:& };:");
        Map<String, Object> figures = figures(report(dir), "pids");
        assertThat((Long) figures.get("peak")).isLessThanOrEqualTo(20L);
        assertThat(oneLiner.status).as(oneLiner.stderr).isEqualTo((Long) figures.get("forksRefused") > 0 ? 3 : 0);
    }

    @Test
    void anOomKillIsReportedAndExits3WithFailOnLimit(@TempDir Path dir) throws Exception {
        String hog = "x=$(head -c 200000000 /dev/zero | tr '\\0' x)";
        Run lenient = cli("run", "--memory", "64m", "--", "bash", "-c", hog);
        assertThat(lenient.status).as(lenient.stderr).isEqualTo(137);
        assertThat(lenient.stderr).containsPattern("memory peak [0-9.]+/64 MiB, 1 OOM kill; [0-9.]+ s\n$");

        Run strict = cli("run", "--memory", "64m", "--fail-on-limit", "--report", dir + "/r.json", "--junit-xml", dir + "/TEST-run.xml",
                "--", "bash", "-c", hog);
        assertThat(strict.status).as(strict.stderr).isEqualTo(3);
        Map<String, Object> report = report(dir);
        assertThat(report).containsEntry("exitCode", 137L).containsEntry("signal", 9L).containsEntry("limitHit", true);
        assertThat(figures(report, "memory")).containsEntry("oomKills", 1L).containsEntry("limitBytes", 64L << 20);
        assertThat((Long) figures(report, "memory").get("peakBytes")).isLessThanOrEqualTo(64L << 20);
        Element failure = CiReportsTests.only(JunitXml.parse(Files.readString(dir.resolve("TEST-run.xml"))), "failure");
        assertThat(failure.getAttribute("message")).isEqualTo("the memory limit of 64 MiB cost 1 OOM kill; the command was killed by signal 9");
    }

    @Test
    void theTimeoutKillsTheWholeContainerAndExits124(@TempDir Path dir) throws Exception {
        long start = System.nanoTime();
        Run run = cli("run", "--timeout", "1s", "--report", dir + "/r.json", "--junit-xml", dir + "/TEST-run.xml",
                "--", "sh", "-c", "sleep 60 & sleep 60");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        assertThat(run.status).as(run.stderr).isEqualTo(124);
        assertThat(run.stderr).endsWith("; timed out and killed\n");
        Map<String, Object> report = report(dir);
        assertThat(report).containsEntry("timedOut", true).containsEntry("exitStatus", 124L).containsEntry("signal", 9L);
        assertThat(report.get("timeoutSeconds")).hasToString("1.000");
        assertThat(CiReportsTests.only(JunitXml.parse(Files.readString(dir.resolve("TEST-run.xml"))), "failure").getAttribute("type"))
                .isEqualTo("containerized.TimedOut");
        assertThat(cli("run", "--timeout", "soon", "--", "true").stderr).contains("timeout \"soon\" does not parse");
    }

    @Test
    void aMissingCommandExits127AndSaysWhy(@TempDir Path dir) throws Exception {
        Run run = cli("run", "--report", dir + "/r.json", "--junit-xml", dir + "/TEST-run.xml", "--", "no-such-program");
        assertThat(run.status).isEqualTo(127);
        assertThat(run.stderr).startsWith("containerized: exec: \"no-such-program\": executable file not found in $PATH");
        assertThat(report(dir)).containsEntry("exitCode", 127L).containsEntry("exitStatus", 127L)
                .containsEntry("failures", List.of("the command exited with status 127"));
        Document junit = JunitXml.parse(Files.readString(dir.resolve("TEST-run.xml")));
        assertThat(CiReportsTests.only(junit, "failure").getAttribute("type")).isEqualTo("containerized.CommandFailed");
        assertThat(CiReportsTests.only(junit, "system-err").getTextContent()).contains("no-such-program");
    }

    @Test
    void aContainerThatCannotBeMadeExits125AndTheTestcaseErrs(@TempDir Path dir) throws Exception {
        Run run = cli("run", "-w", "/no/such/dir", "--report", dir + "/r.json", "--junit-xml", dir + "/TEST-run.xml", "--", "true");
        assertThat(run.status).isEqualTo(125);
        assertThat(run.stderr).contains("/no/such/dir").contains("ENOENT");
        assertThat((String) report(dir).get("error")).contains("ENOENT");
        String xml = Files.readString(dir.resolve("TEST-run.xml"));
        JunitXml.assertSameShapeAsSurefire(xml);
        assertThat(CiReportsTests.only(JunitXml.parse(xml), "error").getAttribute("message")).contains("/no/such/dir");
    }

    /** As in the README's CI line, where target/ is made by the build step the run wraps, if at all. */
    @Test
    void aReportsMissingDirectoriesAreMadeButNotBelowAFile(@TempDir Path dir) throws Exception {
        assertThat(cli("run", "--report", dir + "/target/reports/r.json", "--junit-xml", dir + "/target/TEST-run.xml", "--", "true"))
                .satisfies(r -> assertThat(r.status).as(r.stderr).isZero());
        assertThat(Json.parseObject(Files.readString(dir.resolve("target/reports/r.json")))).containsEntry("exitCode", 0L);
        JunitXml.assertSameShapeAsSurefire(Files.readString(dir.resolve("target/TEST-run.xml")));

        Files.writeString(dir.resolve("file"), "");
        assertThat(cli("run", "--junit-xml", dir + "/file/sub/TEST-run.xml", "--", "true")).satisfies(r -> {
            assertThat(r.status).isEqualTo(2);
            assertThat(r.stderr).contains("--junit-xml " + dir + "/file/sub/TEST-run.xml: " + dir + "/file is not a directory");
        });
        assertThat(dir.resolve("file")).isRegularFile();
    }

    /** As {@code containerized run -- yes | head -1}: once the reader of stdout is gone, the command ends as on the host. */
    @Test
    void aCommandWhoseStdoutReaderWentAwayEnds() throws Exception {
        // A shell loop goes on after EPIPE: only a signal ends it, and its container's PID 1 gets no SIGPIPE.
        for (List<String> endless : List.of(List.of("yes"), List.of("seq", "1", "100000000"),
                List.of("sh", "-c", "while :; do echo y; done"))) {
            List<String> command = javaCommand();
            command.addAll(List.of("run", "--"));
            command.addAll(endless);
            Process cli = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(cli.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8))) {
                assertThat(out.readLine()).isNotNull();
            }
            try {
                assertThat(cli.waitFor(15, TimeUnit.SECONDS)).as("%s ended once its stdout was closed", endless).isTrue();
            } finally {
                cli.destroyForcibly().waitFor();
            }
        }
    }

    /** With its stderr a dead pipe, a command that cannot start still gives 127 at once (the message cannot be shown). */
    @Test
    void aMissingCommandWithNobodyReadingStderrStillExits127() throws Exception {
        List<String> command = javaCommand();
        command.addAll(List.of("run", "--", "/no/such/command"));
        Process cli = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        cli.getErrorStream().close();
        try {
            assertThat(cli.waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(cli.exitValue()).isEqualTo(127);
        } finally {
            cli.destroyForcibly().waitFor();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> figures(Map<String, Object> report, String group) {
        return (Map<String, Object>) report.get(group);
    }

    private static Map<String, Object> report(Path dir) throws IOException {
        return Json.parseObject(Files.readString(dir.resolve("r.json")));
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
