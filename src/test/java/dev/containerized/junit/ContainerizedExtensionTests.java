package dev.containerized.junit;

import dev.containerized.container.Leaks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/** The extension, through the JUnit engine, on fixture classes. */
class ContainerizedExtensionTests {
    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    static EngineExecutionResults run(Class<?> fixture, Map<String, String> configuration) {
        return engine().selectors(selectClass(fixture)).configurationParameters(configuration).execute();
    }

    static EngineTestKit.Builder engine() {
        return EngineTestKit.engine("junit-jupiter");
    }

    static EngineExecutionResults run(Class<?> fixture) {
        return run(fixture, Map.of());
    }

    /** All {@code count} tests passed; else the failures themselves, not just their number. */
    static void assertAllSucceeded(EngineExecutionResults results, int count) {
        assertThat(results.allEvents().failed().list().stream()
                .map(e -> e.getTestDescriptor().getDisplayName() + ": " + e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                        .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable).map(Throwable::toString).orElse("?")))
                .isEmpty();
        results.testEvents().assertStatistics(s -> s.started(count).succeeded(count));
    }

    /** The messages of a throwable, its causes and its suppressed exceptions, all the way down. */
    static List<String> allMessages(Throwable t) {
        List<String> messages = new java.util.ArrayList<>();
        java.util.Deque<Throwable> todo = new java.util.ArrayDeque<>(List.of(t));
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        while (!todo.isEmpty()) {
            Throwable next = todo.pop();
            if (seen.add(next)) {
                messages.add(next.getClass().getSimpleName() + ": " + next.getMessage());
                if (next.getCause() != null) {
                    todo.push(next.getCause());
                }
                todo.addAll(List.of(next.getSuppressed()));
            }
        }
        return messages;
    }

    @Test
    void eachTestGetsItsOwnContainerSharedWithItsLifecycleMethods() {
        PerMethodTestCases.ids.clear();
        assertAllSucceeded(run(PerMethodTestCases.class), 2);
        assertThat(PerMethodTestCases.ids).hasSize(2);
    }

    @Test
    void aPerClassContainerIsSharedByAllTestsAndClassLifecycleMethods() {
        assertAllSucceeded(run(PerClassTestCases.class), 2);
    }

    @Test
    void testsWithTheirOwnContainersRunInParallel() {
        ParallelTestCases.ids.clear();
        ParallelTestCases.mostAtOnce.set(0);
        assertAllSucceeded(run(ParallelTestCases.class, Map.of("junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "4")), 4);
        assertThat(ParallelTestCases.ids).hasSize(4);
        assertThat(ParallelTestCases.mostAtOnce.get()).as("tests running at once").isGreaterThan(1);
    }

    @Test
    void mountsTmpfsAReadOnlyRootAUserAndAnExecTimeoutComeFromAnnotations() throws Exception {
        java.nio.file.Path shared = java.nio.file.Files.createDirectories(java.nio.file.Path.of(MountTestCases.SHARED));
        java.nio.file.Files.setAttribute(shared, "unix:mode", 0777); // the fixture's user is nobody
        assertAllSucceeded(run(MountTestCases.class), 2);
    }

    @Test
    void aMetaAnnotationWorks() {
        run(FailingTestCases.ViaMetaAnnotation.class).testEvents().assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void aNestedClassInheritsTheEnclosingAnnotation() {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectNestedClass(List.of(MisuseTestCases.Outer.class), MisuseTestCases.Outer.Inner.class))
                .execute().testEvents().assertStatistics(s -> s.succeeded(1));
    }

    @Nested
    class Failures {
        @Test
        void aFailedTestReportsTheContainersDiagnosticsAndIsStillCleanedUp() {
            EngineExecutionResults results = run(FailingTestCases.AssertionFails.class);
            results.testEvents().assertStatistics(s -> s.failed(1));
            Event failed = results.testEvents().failed().list().get(0);
            assertThat(failed.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                    .getThrowable().orElseThrow().getMessage())
                    .contains("exited with status 4").contains("some output");
            List<String> entries = results.allEvents().reportingEntryPublished().list().stream()
                    .flatMap(e -> e.getPayload(org.junit.platform.engine.reporting.ReportEntry.class).stream())
                    .flatMap(r -> r.getKeyValuePairs().entrySet().stream()).map(e -> e.getKey() + "=" + e.getValue()).toList();
            assertThat(entries).anySatisfy(e -> assertThat(e).startsWith("containerized.container=Container[").contains("failing-box"));
            assertThat(entries).anySatisfy(e -> assertThat(e).startsWith("containerized.cgroup=CgroupStats[").contains("pidsPeak="));
            assertThat(entries).anySatisfy(e -> assertThat(e).startsWith("containerized.initLog="));
        }

        @Test
        void aTestThatLeavesItsThreadInterruptedStillPassesAndItsContainerGoes() {
            EngineExecutionResults results = run(FailingTestCases.LeavesItsInterruptFlagSet.class);
            Thread.interrupted(); // the engine runs on this thread: the fixtures' flag is ours now
            assertThat(results.allEvents().failed().list()).isEmpty();
            results.testEvents().assertStatistics(s -> s.succeeded(2));
        }

        @Test
        void aContainerPastItsTimeoutIsKilledAndTheTestFails() {
            long start = System.nanoTime();
            run(FailingTestCases.ContainerTimesOut.class).testEvents().assertThatEvents()
                    .haveExactly(1, event(test(), finishedWithFailure(message(m -> m.contains("ended because its @Containerized timeout of 1000 ms passed")))));
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(20_000);
        }

        @Test
        void aPidsLimitOfZeroIsNamed() {
            assertMisuse(MisuseTestCases.ZeroPidsLimit.class, "@Containerized on method ZeroPidsLimit.test()", "pids limit 0");
        }

        @Test
        void aBadMountOfAMethodNamesTheMethodNotTheAnnotatedClass() {
            assertMisuse(MisuseTestCases.MethodMountWithAMissingSource.class,
                    "@Mount(source = \"/no/such/source\", target = \"/x\") on method MethodMountWithAMissingSource.test()", "does not exist");
            assertMisuse(MisuseTestCases.SameMountTargetOnClassAndMethod.class,
                    "@Tmpfs(target = \"/cfg/app.xml\") on method SameMountTargetOnClassAndMethod.test() mounts on /cfg/app.xml, "
                            + "as @Mount(source = \"pom.xml\", target = \"/cfg/app.xml\") on class "
                            + MisuseTestCases.SameMountTargetOnClassAndMethod.class.getName() + " does",
                    "give each its own target");
        }

        @Test
        void anUnparsableMemorySizeIsNamed() {
            assertMisuse(MisuseTestCases.UnparsableMemory.class, "UnparsableMemory.test()", "memory size \"lots\" does not parse");
        }

        @Test
        void anUnknownRootfsIsNamed() {
            assertMisuse(MisuseTestCases.UnknownRootfs.class, "UnknownRootfs.test()", "rootfs /no/such/rootfs does not exist");
        }

        @Test
        void aBadTimeoutIsNamed() {
            assertMisuse(MisuseTestCases.BadTimeout.class, "BadTimeout.test()", "timeout \"soon\" does not parse");
        }

        @Test
        void aContainerParameterWithoutTheAnnotationIsNamed() {
            assertMisuse(MisuseTestCases.ContainerWithoutAnnotation.class, "parameter", "add @Containerized");
        }

        @Test
        void aPerMethodContainerCannotGoToBeforeAll() {
            run(MisuseTestCases.BeforeAllWithPerMethodContainer.class).containerEvents().assertThatEvents()
                    .haveExactly(1, event(finishedWithFailure(instanceOf(org.junit.jupiter.api.extension.ParameterResolutionException.class),
                            message(m -> m.contains("lifecycle = PER_CLASS")))));
        }

        @Test
        void aPerMethodContainerInAConstructorNamesTheWaysOutAndOneOfThemWorks() {
            run(MisuseTestCases.ConstructorWithPerMethodContainer.class).testEvents().assertThatEvents()
                    .haveExactly(1, event(finishedWithFailure(instanceOf(org.junit.jupiter.api.extension.ParameterResolutionException.class),
                            message(m -> m.contains("in a constructor") && m.contains("@BeforeEach")
                                    && m.contains("junit.jupiter.extensions.testinstantiation.extensioncontextscope.default=test_method")))));
            MisuseTestCases.ConstructorWithPerMethodContainer.seen.clear();
            assertAllSucceeded(run(MisuseTestCases.ConstructorWithPerMethodContainer.class,
                    Map.of("junit.jupiter.extensions.testinstantiation.extensioncontextscope.default", "test_method")), 1);
            assertThat(MisuseTestCases.ConstructorWithPerMethodContainer.seen).containsExactly("from-constructor true");
        }

        @Test
        void aConstructorUnderPerClassInstancesIsNotToldToSetAParameterThatCannotHelp() {
            for (Map<String, String> configuration : List.of(Map.<String, String>of(),
                    Map.of("junit.jupiter.extensions.testinstantiation.extensioncontextscope.default", "test_method"))) {
                run(MisuseTestCases.ConstructorWithPerMethodContainerUnderPerClassInstances.class, configuration).allEvents()
                        .assertThatEvents().haveExactly(1, event(finishedWithFailure(
                                instanceOf(org.junit.jupiter.api.extension.ParameterResolutionException.class),
                                message(m -> m.contains("in a constructor") && m.contains("@BeforeEach")
                                        && m.contains("lifecycle = PER_CLASS") && !m.contains("extensioncontextscope")))));
            }
        }

        @Test
        void anUnsupportedHostSkipsWhenAskedTo() {
            // This host is supported, so SKIP changes nothing here: the test runs. The condition's
            // reason on an unsupported host is HostSupport's message, checked in HostSupportTests.
            run(FailingTestCases.ViaMetaAnnotation.class, Map.of(Containerized.WHEN_UNSUPPORTED_PROPERTY, "skip"))
                    .testEvents().assertStatistics(s -> s.succeeded(1).skipped(0));
        }

        @Test
        void aBadAnnotationOnADisabledClassIsNotEvaluatedWhateverTheOrder() {
            for (Class<?> fixture : List.of(MisuseTestCases.BadClassBeforeADisablingCondition.class,
                    MisuseTestCases.BadClassAfterADisablingCondition.class)) {
                run(fixture).containerEvents().assertStatistics(s -> s.skipped(1).failed(0));
            }
        }

        @Test
        void aBadAnnotationOnADisabledMethodIsNotEvaluatedWhateverTheOrder() {
            for (Class<?> fixture : List.of(MisuseTestCases.BadMethodBeforeADisablingCondition.class,
                    MisuseTestCases.BadMethodAfterADisablingCondition.class)) {
                EngineExecutionResults results = run(fixture);
                results.testEvents().assertStatistics(s -> s.skipped(1).failed(0));
                results.containerEvents().assertStatistics(s -> s.failed(0));
            }
        }

        @Test
        void aBadAnnotationOnAnEnabledClassFailsItAsConfigurationWhateverTheOrder() {
            for (Class<?> fixture : List.of(MisuseTestCases.BadClassBeforeAnEnablingCondition.class,
                    MisuseTestCases.BadClassAfterAnEnablingCondition.class)) {
                run(fixture).containerEvents().assertThatEvents().haveExactly(1, event(finishedWithFailure(
                        instanceOf(ExtensionConfigurationException.class),
                        message("@Containerized on class " + fixture.getName() + ": pids limit 0 is too low: a container needs "
                                + "at least 1 task for its command; use a positive number such as 20"))));
            }
        }

        @Test
        void aBadMethodAnnotationFailsTheTestAlsoWhenItAsksForNoContainer() {
            run(MisuseTestCases.BadMethodWithoutAContainer.class).testEvents().assertThatEvents().haveExactly(1, event(test(),
                    finishedWithFailure(instanceOf(ExtensionConfigurationException.class), message(m -> m.startsWith(
                            "@Containerized on method BadMethodWithoutAContainer.test(): memory size \"lots\" does not parse")))));
        }

        @Test
        void jUnitsTimeoutAroundAnExecSaysTheCommandWasKilledAndNothingConfusing() {
            for (Class<?> fixture : List.of(FailingTestCases.TimeoutAroundExec.class, FailingTestCases.TimeoutOnASeparateThread.class)) {
                long start = System.nanoTime();
                Throwable failure = run(fixture).testEvents().failed().list().get(0)
                        .getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
                assertThat((System.nanoTime() - start) / 1_000_000).as(fixture.getSimpleName()).isLessThan(15_000);
                assertThat(failure).as(fixture.getSimpleName()).isInstanceOf(java.util.concurrent.TimeoutException.class)
                        .hasMessageEndingWith("timed out after 1 second");
                List<String> everything = allMessages(failure);
                assertThat(everything).as(fixture.getSimpleName()).noneMatch(m -> m.contains("did not complete") || m.endsWith(": null") && !m.startsWith("InterruptedException"));
                if (fixture == FailingTestCases.TimeoutAroundExec.class) {
                    assertThat(failure.getSuppressed()).singleElement().extracting(Throwable::getMessage).asString()
                            .contains("[sleep, 30]").contains("the command was killed");
                }
            }
        }

        private void assertMisuse(Class<?> fixture, String element, String problem) {
            run(fixture).testEvents().assertThatEvents().haveExactly(1, event(test(), finishedWithFailure(
                    message(m -> m.contains(element) && m.contains(problem)))));
            Throwable thrown = run(fixture).testEvents().failed().list().get(0)
                    .getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
            Throwable root = thrown;
            while (root.getCause() != null && !(root instanceof ExtensionConfigurationException)) {
                root = root.getCause();
            }
            assertThat(root).isInstanceOf(ExtensionConfigurationException.class);
        }
    }
}
