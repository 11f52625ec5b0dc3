package dev.containerized.reliability;

import dev.containerized.container.Leaks;
import dev.containerized.container.host.StateDirectory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.engine.TestExecutionResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The soak mode of the reliability suite: with {@code -Dcontainerized.soak=10m} (also {@code 600s},
 * {@code 1h}) it runs the same test classes again and again until the time is up, then reports the
 * containers started, faults injected and bad inputs tried, the failures (must be 0), the leaks (must be
 * 0: what this JVM's and every child JVM's containers left, looked for after each round), and how this
 * JVM's memory moved from the end of the first round to the end of the last. Without the property, it is
 * skipped. Run it as:
 * <pre>mvn -B -ntp test -Dtest=SoakTests -Dcontainerized.soak=10m</pre>
 */
@EnabledIfSystemProperty(named = SoakTests.PROPERTY, matches = ".+")
class SoakTests {
    static final String PROPERTY = "containerized.soak";
    static final List<Class<?>> SUITE = List.of(LoadTests.class, KilledAtEveryPhaseTests.class, SweepSafetyTests.class,
            FaultTests.class, BadInputTests.class);

    @Test
    void theReliabilitySuiteRunsUntilTheTimeIsUpWithoutAFailureOrALeak() {
        Duration duration = parse(System.getProperty(PROPERTY));
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long failures = 0;
        long tests = 0;
        List<String> leaks = new ArrayList<>();
        Memory.Snapshot first = null;
        Memory.Snapshot last = null;
        int rounds = 0;
        while (System.nanoTime() < end) {
            rounds++;
            SummaryGeneratingListener summary = new SummaryGeneratingListener();
            int round = rounds;
            LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
            SUITE.forEach(c -> request.selectors(selectClass(c)));
            LauncherFactory.create().execute(request.build(), summary, new TestExecutionListener() {
                @Override
                public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                    if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                        System.out.println("SOAK round " + round + " at " + java.time.LocalTime.now() + " FAILED " + test.getLegacyReportingName() + ": "
                                + result.getThrowable().map(Throwable::toString).orElse(""));
                        result.getThrowable().ifPresent(t -> t.printStackTrace(System.out));
                    }
                }
            });
            failures += summary.getSummary().getTotalFailureCount();
            tests += summary.getSummary().getTestsStartedCount();
            List<String> left = new ArrayList<>(Leaks.find());
            for (String token : ChildJvm.TOKENS) {
                left.addAll(Debris.of(token, StateDirectory.base()));
            }
            left.forEach(l -> System.out.println("SOAK round " + round + " LEAK " + l));
            leaks.addAll(left);
            last = Memory.Snapshot.now();
            first = first == null ? last : first;
            if (last.fds() > first.fds()) { // a descriptor of this JVM left open by a round: each round would add more
                String leak = "this JVM's descriptors grew from " + first.fds() + " after round 1 to " + last.fds();
                System.out.println("SOAK round " + round + " LEAK " + leak);
                leaks.add(leak);
                first = last;
            }
            System.out.printf(Locale.ROOT, "SOAK round %d done at %.1f min: %d tests, %d failures so far; %s; %s%n", round,
                    (System.nanoTime() - start) / 6e10, tests, failures, Tally.line(), last);
        }
        String report = String.format(Locale.ROOT, "SOAK %s: %.1f min, %d rounds of %s, %d tests: %s; failures %d, leaks %d;"
                        + " this JVM after round 1: %s; after round %d: %s; child JVMs checked: %d",
                System.getProperty(PROPERTY), (System.nanoTime() - start) / 6e10, rounds,
                SUITE.stream().map(Class::getSimpleName).toList(), tests, Tally.line(), failures, leaks.size(),
                first, rounds, last, ChildJvm.TOKENS.size());
        System.out.println(report);
        assertThat(failures).as(report).isZero();
        assertThat(leaks).as(report).isEmpty();
    }

    /** {@code 10m}, {@code 600s}, {@code 1h}; a bare number is minutes. */
    static Duration parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            if (s.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            return Duration.ofMinutes(Long.parseLong(s.endsWith("m") ? s.substring(0, s.length() - 1) : s));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + text + " does not parse: use a duration such as 10m, 600s or 1h");
        }
    }
}
