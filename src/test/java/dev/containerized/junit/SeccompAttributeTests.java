package dev.containerized.junit;

import dev.containerized.container.Leaks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.engine.TestExecutionResult;

import java.nio.file.Path;

import static dev.containerized.junit.ContainerizedExtensionTests.assertAllSucceeded;
import static dev.containerized.junit.ContainerizedExtensionTests.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code @Containerized(seccomp = "default" | "unconfined" | path)}, through the engine. */
class SeccompAttributeTests {
    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void theClassSetsItAndAMethodRefinesIt() {
        assertAllSucceeded(run(SeccompTestCases.UnconfinedClass.class), 3);
    }

    @Test
    void aProfileThatDoesNotExistIsNamedWithTheAnnotatedElement() {
        String missing = Path.of("no/such/profile.json").toAbsolutePath().toString();
        Throwable thrown = run(SeccompTestCases.MissingProfile.class).testEvents().failed().list().get(0)
                .getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        while (thrown.getCause() != null && !(thrown instanceof ExtensionConfigurationException)) {
            thrown = thrown.getCause();
        }
        assertThat(thrown).isInstanceOf(ExtensionConfigurationException.class).hasMessage(
                "@Containerized on method MissingProfile.test(): seccomp profile " + missing
                        + " does not exist: write \"default\", \"unconfined\", or the path of a profile in Docker's JSON format");
    }
}
