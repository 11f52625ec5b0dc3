package dev.containerized.junit;

import dev.containerized.container.Leaks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.containerized.junit.ContainerizedExtensionTests.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A failed test's container where users look: on the test's stderr (Surefire's report and console) and
 * in report entries.
 */
class DiagnosticsTests {
    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    /** What a fixture printed to stderr, and its results. */
    private record Run(EngineExecutionResults results, String stderr) {
        Map<String, String> reportEntries() {
            return results.allEvents().reportingEntryPublished().list().stream()
                    .flatMap(e -> e.getPayload(ReportEntry.class).stream())
                    .flatMap(r -> r.getKeyValuePairs().entrySet().stream())
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a + "\n" + b));
        }
    }

    private static Run runCapturingStderr(Class<?> fixture) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            EngineExecutionResults results = run(fixture);
            return new Run(results, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
            System.err.print(captured.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aFailedTestShowsItsBackgroundCommandsWithTheTailsOfTheirOutputOnStderrAndInTheReport() {
        Run run = runCapturingStderr(FailingTestCases.BackgroundCommandThenFailure.class);
        run.results().testEvents().assertStatistics(s -> s.failed(1));

        assertThat(run.stderr())
                .contains("[containerized] BackgroundCommandThenFailure.test failed (AssertionFailedError); its container: Container[")
                .contains("hostname=server-box")
                .contains("  cgroup: CgroupStats[pidsCurrent=")
                .contains("  command [sh, -c, for i in 1 2 3")
                .contains(": still running\n    stdout (tail):\n      …\n      line 7\n")
                .contains("      line 25\n      listening on 8080\n    stderr (tail):\n      warming up\n")
                .contains("  command [sh, -c, echo done; exit 3]: exited with status 3\n    stdout (tail):\n      done\n    stderr: (empty)")
                .doesNotContain("line 6\n")
                .doesNotContain("a foreground command that ended");
        Map<String, String> entries = run.reportEntries();
        assertThat(entries.get("containerized.container")).startsWith("Container[").contains("server-box");
        assertThat(entries.get("containerized.cgroup")).startsWith("CgroupStats[").doesNotContain("=-1");
        assertThat(entries.get("containerized.commands")).contains("listening on 8080").contains("exited with status 3");
        assertThat(entries).containsKey("containerized.initLog");
    }

    @Test
    void aTestThatFailsWithoutAskingForTheClassContainerStillShowsIt() {
        Run run = runCapturingStderr(FailingTestCases.ClassContainerFromAField.class);
        run.results().testEvents().assertStatistics(s -> s.failed(1));
        assertThat(run.stderr()).contains("[containerized] ClassContainerFromAField.test failed")
                .contains("hostname=class-box").contains("stdout (tail):\n      started by beforeAll");
    }

    @Test
    void aFailedDynamicTestShowsItsFactorysContainer() {
        Run run = runCapturingStderr(FailingTestCases.DynamicTestFails.class);
        run.results().testEvents().assertStatistics(s -> s.failed(1));
        assertThat(run.stderr()).contains("[containerized] DynamicTestFails.factory dynamic failed (AssertionFailedError); its container: ")
                .contains("hostname=factory-box").contains("stdout (tail):\n      bg-factory");
        assertThat(run.reportEntries()).containsKey("containerized.container");
    }

    /** A background command's output goes to the console: its control characters are shown, never sent on. */
    @Test
    void theTailsShowControlCharactersEscaped() {
        assertThat(FailureDiagnostics.tail("\u001b[2Jcleared\tkept\r\nnext\n")).isEqualTo("\\u001b[2Jcleared\tkept\nnext");
        // A right-to-left override would show what follows it reversed: "exe.txt" for "txt.exe".
        assertThat(FailureDiagnostics.tail("file\u202etxt.exe\u2066 caf\u00e9\n")).isEqualTo("file\\u202etxt.exe\\u2066 caf\u00e9");
    }

    @Test
    void aSkippedTestPrintsNothing() {
        Run run = runCapturingStderr(FailingTestCases.AssumptionFails.class);
        run.results().testEvents().assertStatistics(s -> s.aborted(1));
        assertThat(run.stderr()).doesNotContain("[containerized]");
        assertThat(run.reportEntries()).isEmpty();
    }

    @Test
    void aPassingTestPrintsNothing() {
        Run run = runCapturingStderr(PerClassTestCases.class);
        run.results().testEvents().assertStatistics(s -> s.succeeded(2));
        assertThat(run.stderr()).doesNotContain("[containerized]");
        assertThat(run.reportEntries()).isEmpty();
    }
}
