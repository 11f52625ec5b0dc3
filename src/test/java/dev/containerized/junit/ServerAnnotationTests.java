package dev.containerized.junit;

import dev.containerized.container.ContainerException;
import dev.containerized.container.Leaks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

import static dev.containerized.junit.ContainerizedExtensionTests.assertAllSucceeded;
import static dev.containerized.junit.ContainerizedExtensionTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/** {@link Server} through the JUnit engine: servers ready before the test, in order, and failures that explain. */
class ServerAnnotationTests {
    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void aDeclaredServerIsReadyWhenTheTestStarts() {
        assertAllSucceeded(run(ServerTestCases.HttpServerReady.class), 1);
    }

    @Test
    void serversStartInOrderClassFirstEachReadyBeforeTheNext() {
        assertAllSucceeded(run(ServerTestCases.TwoServersInOrder.class), 2);
    }

    @Test
    void aPerClassContainerStartsItsServersOnce() {
        ServerTestCases.SharedByTheClass.PIDS.clear();
        assertAllSucceeded(run(ServerTestCases.SharedByTheClass.class), 2);
        assertThat(ServerTestCases.SharedByTheClass.PIDS).hasSize(2).doesNotContain("");
        assertThat(ServerTestCases.SharedByTheClass.PIDS.get(1)).as("the same server").isEqualTo(ServerTestCases.SharedByTheClass.PIDS.get(0));
    }

    @Test
    void aServerThatIsNeverReadyFailsTheTestWithItsOutput() {
        // JUnit wraps what a parameter resolver throws; the message carries ours whole.
        run(ServerTestCases.NeverReady.class).testEvents().assertThatEvents().haveExactly(1, event(test(),
                finishedWithFailure(instanceOf(org.junit.jupiter.api.extension.ParameterResolutionException.class),
                        message(m -> m.contains("@Server(command = [sh, -c, echo 'reading /etc/app.conf';")
                                && m.contains("on class " + ServerTestCases.NeverReady.class.getName() + " did not get ready")
                                && m.contains("stopped waiting for port 8080 to accept connections")
                                && m.contains(" of 1 s: every background command ended")
                                && m.contains("(exited with status 2)")
                                && m.contains("out| reading /etc/app.conf")
                                && m.contains("err| fatal: /etc/app.conf: no such file")))));
    }

    @Test
    void misuseNamesTheAnnotatedClassAndTheFix() {
        // Checked with the rest of the settings, before any test of the class: the class fails as misconfigured.
        run(ServerTestCases.NoCommand.class).allEvents().assertThatEvents().haveExactly(1, event(

                finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
                        message(m -> m.startsWith("@Server on class " + ServerTestCases.NoCommand.class.getName() + ": command is empty")))));
        run(ServerTestCases.BadWithin.class).allEvents().assertThatEvents().haveExactly(1, event(
                finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
                        message(m -> m.contains("within = \"soon\" does not parse") && m.contains("\"10s\"")))));
        run(ServerTestCases.BadPattern.class).allEvents().assertThatEvents().haveExactly(1, event(
                finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
                        message(m -> m.contains("waitForLogLine is not a regular expression")))));
    }
}
