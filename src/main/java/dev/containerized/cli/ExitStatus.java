package dev.containerized.cli;

/**
 * The exit statuses of {@code run} besides the command's own, as docker run and timeout(1) use them
 * where they have one.
 */
final class ExitStatus {
    /** The arguments are wrong; nothing ran. */
    static final int USAGE = 2;
    /** With --fail-on-limit: a fork was refused at the pids limit or a process was OOM-killed. */
    static final int LIMIT_HIT = 3;
    /** The --timeout passed and the container was killed (timeout(1)'s status). */
    static final int TIMED_OUT = 124;
    /** The container could not be made, or a report not written (docker run's status). */
    static final int CONTAINERIZED_FAILED = 125;

    /** For the usage: every status and what it means. */
    static final String TABLE = """
            exit status: the command's (128+N when signal N killed it), or
              2    the arguments are wrong; nothing ran
              3    --fail-on-limit: a fork was refused at the pids limit or a process was OOM-killed
              124  --timeout passed; the container was killed
              125  the container could not be made, or a report could not be written
              126  the command was found but could not run; 127: no such command""";

    private ExitStatus() {
    }
}
