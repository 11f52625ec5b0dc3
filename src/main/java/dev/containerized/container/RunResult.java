package dev.containerized.container;

/**
 * How a command run as PID 1 ended, with the container's cgroup figures at its end: what a CI check
 * of the limits reads (were forks refused, was anything OOM-killed, how close did it come).
 *
 * @param result how the command ended; when its output went to this process's stdout and stderr
 *               ({@link Container#runInteractive(ContainerSpec, java.time.Duration, String...)}), the
 *               result keeps the output of a run through pipes, bounded, and of a run on a terminal
 *               only the message of a command that could not start
 * @param stats  the container cgroup's figures read after its last process ended
 */
public record RunResult(ExecResult result, CgroupStats stats) {
}
