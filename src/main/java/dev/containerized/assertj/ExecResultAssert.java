package dev.containerized.assertj;

import dev.containerized.container.ExecResult;

import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractStringAssert;
import org.assertj.core.api.Assertions;

/**
 * Assertions on how a command ended. Every failure message shows the command, how it ended and the
 * tails of its stdout and stderr, so a red test explains itself. Open to subclassing, with a public
 * constructor, as AssertJ's soft assertions need:
 * {@code softly.proxy(ExecResultAssert.class, ExecResult.class, result)}. The string assertions that
 * {@link #stdout()} and {@link #stderr()} return are AssertJ's own, which such a proxy does not collect:
 * for soft checks on the output, use {@code softly.assertThat(result.stdout())}.
 */
public class ExecResultAssert extends AbstractAssert<ExecResultAssert, ExecResult> {
    public ExecResultAssert(ExecResult actual) {
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

    /**
     * Exited by itself with {@code exitCode}. A command a signal killed did not exit, though its
     * {@code exitCode()} is 128 + the signal, as a shell says: assert that with {@link #wasKilledBySignal}.
     */
    public ExecResultAssert exitedWith(int exitCode) {
        isNotNull();
        if (actual.exitCode() != exitCode || actual.signal().isPresent()) {
            String hint = actual.signal().isPresent() && actual.exitCode() == exitCode
                    ? " (a signal killed it, which a shell reports as status " + exitCode + ": assert wasKilledBySignal("
                    + actual.signal().getAsInt() + ") for that)" : "";
            failWithMessage("Expected the command to exit with status %d, but %s%s", exitCode, actual.describe(), hint);
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

    /**
     * Its stdout, to assert on as a string; a failure also shows how the command ended and both tails,
     * after the description given with {@code as(…)}, if any.
     */
    public AbstractStringAssert<?> stdout() {
        isNotNull();
        return Assertions.assertThat(actual.stdout()).as("%sstdout of %s", givenDescription(), actual.describe());
    }

    /** Its stderr, as {@link #stdout()}. */
    public AbstractStringAssert<?> stderr() {
        isNotNull();
        return Assertions.assertThat(actual.stderr()).as("%sstderr of %s", givenDescription(), actual.describe());
    }

    /** What the test said with {@code as(…)}, followed by ": ", or nothing. */
    private String givenDescription() {
        String given = descriptionText();
        return given == null || given.isEmpty() ? "" : given + ": ";
    }
}
