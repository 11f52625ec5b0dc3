package dev.containerized.cli;

import dev.containerized.container.CgroupStats;
import dev.containerized.container.ExecResult;
import dev.containerized.container.RunResult;
import dev.containerized.internal.json.Json;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The summary line, the JSON report and the JUnit XML for runs made up here (the real runs are in
 * MainTests): every way a run ends, and output no XML may hold.
 */
class CiReportsTests {
    private static final List<String> BOMB = List.of("bash", "-c", ":(){ :|:& };:");

    @Test
    void aContainedForkBombIsALimitHitWhateverTheCommandSaid() {
        RunOutcome outcome = outcome(BOMB, exited(0), new CgroupStats(0, 20, 412, 0, 3 << 20, 0), true);
        assertThat(outcome.limitHit()).isTrue();
        assertThat(outcome.exitStatus()).isEqualTo(ExitStatus.LIMIT_HIT);
        assertThat(Summary.line(outcome)).isEqualTo("containerized: pids peak 20/20, 412 forks refused; memory peak 3/64 MiB; 2.3 s;"
                + " exit 3: a limit was hit (--fail-on-limit)");
        Map<String, Object> report = Json.parseObject(JsonReport.write(outcome));
        assertThat(report).containsEntry("command", List.of("bash", "-c", ":(){ :|:& };:")).containsEntry("exitStatus", 3L)
                .containsEntry("exitCode", 0L).containsEntry("signal", null).containsEntry("limitHit", true).containsEntry("timedOut", false);
        assertThat(report.get("pids")).isEqualTo(Map.of("peak", 20L, "limit", 20L, "forksRefused", 412L));
        assertThat(report.get("failures")).isEqualTo(List.of("the pids limit of 20 refused 412 forks"));
        assertThat(report.get("durationSeconds")).hasToString("2.345");

        Element failure = only(JunitXml.parse(JunitReport.write(outcome)), "failure");
        assertThat(failure.getAttribute("type")).isEqualTo("containerized.LimitHit");
        assertThat(failure.getAttribute("message")).isEqualTo("the pids limit of 20 refused 412 forks");
        assertThat(failure.getTextContent()).contains("pids peak 20/20, 412 forks refused").contains("command: bash -c ':(){ :|:& };:'");
    }

    @Test
    void withoutFailOnLimitTheCommandsStatusStandsButTheTestcaseStillFails() {
        RunOutcome outcome = outcome(BOMB, exited(0), new CgroupStats(0, 20, 3, 0, 1 << 20, 0), false);
        assertThat(outcome.exitStatus()).isZero();
        assertThat(Summary.line(outcome)).doesNotContain("exit 3");
        Document junit = JunitXml.parse(JunitReport.write(outcome));
        assertThat(junit.getDocumentElement().getAttribute("failures")).isEqualTo("1");
    }

    @Test
    void aCommandThatExits3ItselfIsNotALimitHit() {
        ExecResult three = new ExecResult(List.of("sh", "-c", "exit 3"), 3, OptionalInt.empty(), "", "", Duration.ofMillis(10), false, false);
        for (boolean failOnLimit : new boolean[] {false, true}) {
            RunOutcome outcome = outcome(three.command(), three, new CgroupStats(0, 1, 0, 0, 500_000, 0), failOnLimit);
            assertThat(outcome.exitStatus()).isEqualTo(3);
            assertThat(Summary.line(outcome)).as("--fail-on-limit " + failOnLimit).doesNotContain("a limit was hit");
        }
    }

    @Test
    void anOomKillIsNamedWithItsLimitAndTheSignal() {
        ExecResult killed = new ExecResult(List.of("bash"), 137, OptionalInt.of(9), "", "", Duration.ofSeconds(1), false, true);
        RunOutcome outcome = outcome(List.of("bash"), killed, new CgroupStats(0, 4, 0, 0, 64L << 20, 1), true);
        assertThat(Summary.line(outcome)).isEqualTo("containerized: pids peak 4/20; memory peak 64/64 MiB, 1 OOM kill; 2.3 s;"
                + " exit 3: a limit was hit (--fail-on-limit)");
        assertThat(outcome.failures()).containsExactly("the memory limit of 64 MiB cost 1 OOM kill", "the command was killed by signal 9");
        Map<String, Object> report = Json.parseObject(JsonReport.write(outcome));
        assertThat(report).containsEntry("signal", 9L).containsEntry("exitCode", 137L);
        assertThat(report.get("memory")).isEqualTo(Map.of("peakBytes", 64L << 20, "limitBytes", 64L << 20, "oomKills", 1L));
    }

    @Test
    void aCleanRunPassesAndKeepsItsOutput() {
        ExecResult ok = new ExecResult(List.of("sh", "-c", "echo hi"), 0, OptionalInt.empty(), "hi\n", "warning <&>\n",
                Duration.ofMillis(10), false, false);
        RunOutcome outcome = outcome(ok.command(), ok, new CgroupStats(0, 1, 0, 0, 300_000, 0), true);
        assertThat(outcome.exitStatus()).isZero();
        assertThat(outcome.failures()).isEmpty();
        assertThat(Summary.line(outcome)).isEqualTo("containerized: pids peak 1/20; memory peak 0.3/64 MiB; 2.3 s");
        Document junit = JunitXml.parse(JunitReport.write(outcome));
        assertThat(junit.getElementsByTagName("failure").getLength()).isZero();
        assertThat(only(junit, "system-out").getTextContent()).isEqualTo("hi\n");
        assertThat(only(junit, "system-err").getTextContent()).isEqualTo("warning <&>\n");
        assertThat(only(junit, "testcase").getAttribute("name")).isEqualTo("sh -c 'echo hi'");
    }

    @Test
    void aTimeoutSaysSoEverywhere() {
        ExecResult late = new ExecResult(List.of("sleep", "30"), 137, OptionalInt.of(9), "", "", Duration.ofSeconds(2), true, false);
        RunOutcome outcome = new RunOutcome(late.command(), OptionalLong.empty(), OptionalLong.empty(), Optional.of(Duration.ofSeconds(2)),
                Duration.ofMillis(2345), Optional.of(new RunResult(late, new CgroupStats(0, 1, 0, 0, -1, 0))), Optional.empty(), true);
        assertThat(outcome.exitStatus()).isEqualTo(ExitStatus.TIMED_OUT);
        assertThat(Summary.line(outcome)).isEqualTo("containerized: pids peak 1; memory peak ? MiB; 2.3 s; timed out and killed");
        assertThat(only(JunitXml.parse(JunitReport.write(outcome)), "failure").getAttribute("type")).isEqualTo("containerized.TimedOut");
        Map<String, Object> report = Json.parseObject(JsonReport.write(outcome));
        assertThat(report).containsEntry("timedOut", true).containsEntry("exitStatus", 124L);
        assertThat(report.get("timeoutSeconds")).hasToString("2.000");
        assertThat(((Map<?, ?>) report.get("memory")).get("peakBytes")).as("a figure the kernel lacks").isNull();
    }

    @Test
    void noContainerIsAnErrorOfTheTestcaseAndExit125() {
        RunOutcome outcome = new RunOutcome(List.of("true"), OptionalLong.empty(), OptionalLong.empty(), Optional.empty(),
                Duration.ofMillis(5), Optional.empty(), Optional.of("container setup failed: chdir(\"/x\"): ENOENT"), false);
        assertThat(outcome.exitStatus()).isEqualTo(ExitStatus.CONTAINERIZED_FAILED);
        Document junit = JunitXml.parse(JunitReport.write(outcome));
        assertThat(junit.getDocumentElement().getAttribute("errors")).isEqualTo("1");
        assertThat(junit.getDocumentElement().getAttribute("failures")).isEqualTo("0");
        assertThat(only(junit, "error").getAttribute("message")).contains("chdir(\"/x\"): ENOENT");
        assertThat(Json.parseObject(JsonReport.write(outcome))).containsEntry("exitCode", null).containsEntry("error",
                "container setup failed: chdir(\"/x\"): ENOENT");
    }

    @Test
    void outputThatXmlCannotHoldIsDroppedNotFatal() {
        ExecResult binary = new ExecResult(List.of("cat", "/bin/sh\u0001"), 0, OptionalInt.empty(), "ELF\u0000\u0001\u001b[31m\uFFFEend",
                "", Duration.ofMillis(1), false, false);
        RunOutcome outcome = outcome(binary.command(), binary, new CgroupStats(0, 1, 0, 0, 1, 0), false);
        Document junit = JunitXml.parse(JunitReport.write(outcome));
        assertThat(only(junit, "system-out").getTextContent()).isEqualTo("ELF[31mend");
        assertThat(only(junit, "testcase").getAttribute("name")).isEqualTo("cat '/bin/sh'");
    }

    @Test
    void theXmlHasTheShapeSurefireWrites() throws Exception {
        ExecResult failed = new ExecResult(List.of("make"), 2, OptionalInt.empty(), "out\n", "err\n", Duration.ofSeconds(1), false, false);
        for (RunOutcome outcome : List.of(
                outcome(List.of("make"), failed, new CgroupStats(0, 3, 0, 0, 1 << 20, 0), false),
                new RunOutcome(List.of("true"), OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Duration.ofMillis(5),
                        Optional.empty(), Optional.of("no cgroup"), false))) {
            JunitXml.assertSameShapeAsSurefire(JunitReport.write(outcome));
        }
    }

    private static ExecResult exited(int status) {
        return new ExecResult(BOMB, status, OptionalInt.empty(), "", "", Duration.ofSeconds(2), false, false);
    }

    private static RunOutcome outcome(List<String> command, ExecResult result, CgroupStats stats, boolean failOnLimit) {
        return new RunOutcome(command, OptionalLong.of(20), OptionalLong.of(64L << 20), Optional.empty(), Duration.ofMillis(2345),
                Optional.of(new RunResult(result, stats)), Optional.empty(), failOnLimit);
    }

    static Element only(Document document, String tag) {
        assertThat(document.getElementsByTagName(tag).getLength()).as("<%s> elements", tag).isEqualTo(1);
        return (Element) document.getElementsByTagName(tag).item(0);
    }
}
