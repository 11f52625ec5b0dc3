package dev.containerized;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs test classes with the JUnit launcher in a JVM of their own: inside the cgroup-v2 guest, where
 * Maven is too slow to start, and as an unprivileged user. One line per test ("PASSED name",
 * "SKIPPED name: reason", "FAILED name: message" and its stack trace), then a closing line
 * "LABEL: N passed, N failed, N skipped" (label from -Drunner.label). Exits 1 when a test failed or
 * none passed.
 */
public final class TestClassRunner {
    private TestClassRunner() {
    }

    public static void main(String[] args) throws Exception {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        for (String name : args) {
            request.selectors(selectClass(Class.forName(name)));
        }
        AtomicInteger passed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        LauncherFactory.create().execute(request.build(), new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier test, String reason) {
                skipped.incrementAndGet();
                System.out.println("SKIPPED " + test.getLegacyReportingName() + ": " + reason);
            }

            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                    if (test.isTest()) {
                        passed.incrementAndGet();
                        System.out.println("PASSED " + test.getUniqueId());
                    }
                    return;
                }
                // An aborted test (a failed assumption) is a skip; a failed class (its @BeforeAll,
                // say) is a failure, since its tests never ran.
                (result.getStatus() == TestExecutionResult.Status.ABORTED ? skipped : failed).incrementAndGet();
                System.out.println(result.getStatus() + " " + test.getLegacyReportingName() + ": "
                        + result.getThrowable().map(Throwable::getMessage).orElse(""));
                result.getThrowable().ifPresent(t -> t.printStackTrace(System.out));
            }
        });
        System.out.println(System.getProperty("runner.label", "tests") + ": " + passed + " passed, " + failed
                + " failed, " + skipped + " skipped");
        System.exit(failed.get() == 0 && passed.get() > 0 ? 0 : 1);
    }
}
