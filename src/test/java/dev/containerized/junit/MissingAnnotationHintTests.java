package dev.containerized.junit;

import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * A Container parameter in a class without @Containerized: JUnit never calls the extension, so its
 * failure says only "No ParameterResolver registered". The hint comes from a listener that the JUnit
 * launcher (Surefire, Gradle, IDEs) registers by itself, so these tests run through the launcher, as
 * they do, not through the engine test kit.
 */
class MissingAnnotationHintTests {
    private static String runThroughTheLauncher(Class<?> fixture, SummaryGeneratingListener summary) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(fixture)).build(), summary);
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aContainerParameterWithoutTheAnnotationGetsTheHintOncePerMethod() {
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        String stderr = runThroughTheLauncher(MisuseTestCases.ContainerParameterWithoutAnyAnnotation.class, summary);

        assertThat(summary.getSummary().getTotalFailureCount()).isEqualTo(3);
        assertThat(stderr).contains("[containerized] MisuseTestCases$ContainerParameterWithoutAnyAnnotation.test(Container) asks for "
                + "a Container, but neither the method nor its class is annotated @Containerized, which "
                + "provides it: add @Containerized to the method or to its class");
        assertThat(stderr.split("parameterized\\(int, Container\\) asks for", -1)).as("said once for two invocations").hasSize(2);
    }

    @Test
    void aSpecParameterOfABeforeEachGetsAHintThatNamesTheClassOrTheTestsNotTheMethod() {
        String stderr = runThroughTheLauncher(MisuseTestCases.SpecParameterInBeforeEachWithoutAnyAnnotation.class,
                new SummaryGeneratingListener());
        assertThat(stderr).contains("[containerized] MisuseTestCases$SpecParameterInBeforeEachWithoutAnyAnnotation.before(ContainerSpec) "
                + "asks for a ContainerSpec, but neither its class nor the test it ran for is annotated @Containerized");
    }

    /** An annotation on a @BeforeEach does nothing (JUnit registers no extension from it): the hint says so, and what works. */
    @Test
    void anAnnotatedBeforeEachGetsAHintWhoseFixWorks() {
        String stderr = runThroughTheLauncher(MisuseTestCases.ContainerInAnAnnotatedBeforeEachOnly.class, new SummaryGeneratingListener());
        assertThat(stderr).contains("[containerized] MisuseTestCases$ContainerInAnAnnotatedBeforeEachOnly.setUp(Container) asks for a "
                + "Container, but neither its class nor the test it ran for is annotated @Containerized, which provides it: add "
                + "@Containerized to the class, or to each test method; a @BeforeEach or @AfterEach method gets the container of the "
                + "test it runs for, and @Containerized on it does nothing");

        SummaryGeneratingListener followingTheHint = new SummaryGeneratingListener();
        runThroughTheLauncher(MisuseTestCases.ContainerInBeforeEachWithEachTestAnnotated.class, followingTheHint);
        assertThat(followingTheHint.getSummary().getTestsSucceededCount()).isEqualTo(2);
        assertThat(followingTheHint.getSummary().getTotalFailureCount()).isZero();
    }

    @Test
    void aBeforeAllGetsTheHintOfAPerClassContainer() {
        String stderr = runThroughTheLauncher(MisuseTestCases.ContainerInBeforeAllWithoutAnyAnnotation.class, new SummaryGeneratingListener());
        assertThat(stderr).contains("[containerized] MisuseTestCases$ContainerInBeforeAllWithoutAnyAnnotation.before(Container) asks for "
                + "a Container, but its class is not annotated @Containerized(lifecycle = PER_CLASS), whose container is the one "
                + "that reaches a constructor and @BeforeAll and @AfterAll methods: add it to the class");
        // What it says to do: PerClassTestCases is that class, and its @BeforeAll gets the container.
        SummaryGeneratingListener followingTheHint = new SummaryGeneratingListener();
        runThroughTheLauncher(PerClassTestCases.class, followingTheHint);
        assertThat(followingTheHint.getSummary().getTestsSucceededCount()).isEqualTo(2);
        assertThat(followingTheHint.getSummary().getTotalFailureCount()).isZero();
    }
}
