package dev.containerized.junit;

import dev.containerized.container.Leaks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import static dev.containerized.junit.ContainerizedExtensionTests.assertAllSucceeded;
import static dev.containerized.junit.ContainerizedExtensionTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/** {@code @Containerized(cpus = …, cpuset = …)}, through the JUnit engine. */
class CpuLimitAnnotationTests {
    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void cpusOnTheClassAndTheMethodBecomeTheContainersQuota() {
        assertAllSucceeded(run(CpuLimitTestCases.HalfACpu.class), 2);
    }

    @Test
    void anUnparsableCpusIsNamed() {
        assertMisuse(CpuLimitTestCases.UnparsableCpus.class, "@Containerized on method UnparsableCpus.test()",
                "cpus \"lots\" does not parse");
    }

    @Test
    void aBackwardsCpusetIsNamed() {
        assertMisuse(CpuLimitTestCases.BackwardsCpuset.class, "BackwardsCpuset.test()", "the range 3-1 runs backwards");
    }

    private static void assertMisuse(Class<?> fixture, String element, String problem) {
        EngineExecutionResults results = run(fixture);
        results.testEvents().assertThatEvents().haveExactly(1, event(test(), finishedWithFailure(
                message(m -> m.contains(element) && m.contains(problem)))));
        Throwable thrown = results.testEvents().failed().list().get(0)
                .getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        while (thrown.getCause() != null && !(thrown instanceof ExtensionConfigurationException)) {
            thrown = thrown.getCause();
        }
        assertThat(thrown).isInstanceOf(ExtensionConfigurationException.class);
    }
}
