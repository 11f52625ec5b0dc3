package dev.containerized.junit;

import dev.containerized.container.Leaks;
import dev.containerized.rootfs.DefaultRootfs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.containerized.junit.ContainerizedExtensionTests.assertAllSucceeded;
import static dev.containerized.junit.ContainerizedExtensionTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/** Configuration parameters (what a pom property reaches) as defaults, and the injected spec. */
class ConfigurationTests {
    private static final Path CONFIGURED_ROOTFS = Path.of("target/configured-rootfs");

    @BeforeEach
    void aRootfsElsewhere() throws Exception {
        ConfiguredTestCases.specs.clear();
        Files.deleteIfExists(CONFIGURED_ROOTFS);
        Files.createDirectories(CONFIGURED_ROOTFS.getParent());
        Files.createSymbolicLink(CONFIGURED_ROOTFS, DefaultRootfs.path());
    }

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void theRootfsAndTheExecTimeoutComeFromConfigurationParameters() {
        assertAllSucceeded(run(ConfiguredTestCases.FromConfiguration.class, Map.of(
                Containerized.ROOTFS_PROPERTY, CONFIGURED_ROOTFS.toString(), Containerized.EXEC_TIMEOUT_PROPERTY, "700ms")), 1);
        assertThat(ConfiguredTestCases.specs.get("FromConfiguration").rootfs()).hasValue(CONFIGURED_ROOTFS.toAbsolutePath());
        assertThat(ConfiguredTestCases.specs.get("FromConfiguration").execTimeout()).isEqualTo(Duration.ofMillis(700));
    }

    @Test
    void anAnnotationAttributeBeatsTheConfigurationParameter() {
        assertAllSucceeded(run(ConfiguredTestCases.AnnotationOverConfiguration.class,
                Map.of(Containerized.EXEC_TIMEOUT_PROPERTY, "700ms")), 1);
        assertThat(ConfiguredTestCases.specs.get("AnnotationOverConfiguration").execTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void anInjectedSpecRunsTheCommandAsPid1WithTheTestsSettings() {
        assertAllSucceeded(run(ConfiguredTestCases.CommandAsPid1.class), 1);
        assertThat(ConfiguredTestCases.specs.get("CommandAsPid1").pidsLimit()).hasValue(5);
    }

    /** Pins what Containerized's javadoc says: a method's DEFAULT or empty attribute keeps its class's limit. */
    @Test
    void aMethodsDefaultAttributesKeepItsClassLimits() {
        assertAllSucceeded(run(ConfiguredTestCases.AMethodCannotLiftItsClassLimits.class), 1);
    }

    @Nested
    class Failures {
        @Test
        void aConfiguredRootfsThatIsNotThereIsNamedWithTheParameter() {
            assertClassFails(Containerized.ROOTFS_PROPERTY, "/no/such/rootfs", "rootfs /no/such/rootfs does not exist");
        }

        @Test
        void aConfiguredExecTimeoutThatDoesNotParseIsNamedWithTheParameter() {
            assertClassFails(Containerized.EXEC_TIMEOUT_PROPERTY, "soon", "timeout \"soon\" does not parse");
        }

        private void assertClassFails(String key, String value, String problem) {
            run(ConfiguredTestCases.FromConfiguration.class, Map.of(key, value)).containerEvents().assertThatEvents()
                    .haveExactly(1, event(finishedWithFailure(instanceOf(ExtensionConfigurationException.class), message(m ->
                            m.startsWith("@Containerized on class " + ConfiguredTestCases.FromConfiguration.class.getName()
                                    + " (with configuration parameter " + key + "=" + value + "): " + problem)))));
        }
    }
}
