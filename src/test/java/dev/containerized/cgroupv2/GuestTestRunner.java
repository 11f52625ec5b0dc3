package dev.containerized.cgroupv2;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs test classes with the JUnit launcher inside the cgroup-v2 guest, where Maven is too slow to
 * start: one line per test, the failures in full, and a closing "N passed, N failed" line. Exits 1
 * when a test failed or none ran.
 */
public final class GuestTestRunner {
    private GuestTestRunner() {
    }

    public static void main(String[] args) throws Exception {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        for (String name : args) {
            request.selectors(selectClass(Class.forName(name)));
        }
        LauncherDiscoveryRequest discovery = request.build();
        AtomicInteger passed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        LauncherFactory.create().execute(discovery, new TestExecutionListener() {
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
                if (test.isTest() || result.getStatus() == TestExecutionResult.Status.FAILED) {
                    failed.incrementAndGet();
                    System.out.println(result.getStatus() + " " + test.getUniqueId());
                    result.getThrowable().ifPresent(t -> t.printStackTrace(System.out));
                }
            }
        });
        System.out.println("cgroup-v2: " + passed + " passed, " + failed + " failed, " + skipped + " skipped");
        System.exit(failed.get() == 0 && passed.get() > 0 ? 0 : 1);
    }
}
