package dev.containerized.assertj;

import dev.containerized.container.ExecResult;

import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractStringAssert;
import org.assertj.core.api.Assertions;

/**
 * Assertions on how a command ended. Every failure message shows the command, how it ended and the
 * tails of its stdout and stderr, so a red test explains itself.
 */
public final class ExecResultAssert extends AbstractAssert<ExecResultAssert, ExecResult> {
    ExecResultAssert(ExecResult actual) {
        super(actual, ExecResultAssert.class);
    }

    /** Exited with status 0, in time. */
    public ExecResultAssert succeeded() {
        isNotNull();
        if (!actual.succeeded()) {
            failWithMessage("Expected the command to succeed (exit status 0), but %s", actual.describe());
        }
        return this;
    }

    public ExecResultAssert exitedWith(int exitCode) {
        isNotNull();
        if (actual.exitCode() != exitCode || actual.signal().isPresent()) {
            failWithMessage("Expected the command to exit with status %d, but %s", exitCode, actual.describe());
        }
        return this;
    }

    public ExecResultAssert wasKilledBySignal(int signal) {
        isNotNull();
        if (actual.signal().isEmpty() || actual.signal().getAsInt() != signal) {
            failWithMessage("Expected the command to be killed by signal %d, but %s", signal, actual.describe());
        }
        return this;
    }

    public ExecResultAssert wasOomKilled() {
        isNotNull();
        if (!actual.oomKilled()) {
            failWithMessage("Expected the command to be killed by the OOM killer, but %s", actual.describe());
        }
        return this;
    }

    public ExecResultAssert wasNotOomKilled() {
        isNotNull();
        if (actual.oomKilled()) {
            failWithMessage("Expected the command not to be OOM-killed, but %s", actual.describe());
        }
        return this;
    }

    public ExecResultAssert timedOut() {
        isNotNull();
        if (!actual.timedOut()) {
            failWithMessage("Expected the command to time out, but %s", actual.describe());
        }
        return this;
    }

    /** The command's stdout, to assert on as a string; the failure description names the command. */
    /** Its stdout, to assert on as a string; a failure also shows how the command ended and both tails. */
    public AbstractStringAssert<?> stdout() {
        isNotNull();
        return Assertions.assertThat(actual.stdout()).as("stdout of %s", actual.describe());
    }

    /** Its stderr, to assert on as a string; a failure also shows how the command ended and both tails. */
    public AbstractStringAssert<?> stderr() {
        isNotNull();
        return Assertions.assertThat(actual.stderr()).as("stderr of %s", actual.describe());
    }
}
