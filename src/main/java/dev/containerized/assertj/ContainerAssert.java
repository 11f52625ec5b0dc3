package dev.containerized.assertj;

import dev.containerized.container.CgroupStats;
import dev.containerized.container.Container;
import dev.containerized.container.ExecResult;
import dev.containerized.container.MemorySize;
import dev.containerized.internal.text.ControlCharacters;

import org.assertj.core.api.AbstractAssert;

import java.time.Duration;


/**
 * Assertions on a container's isolation and on its cgroup's figures. Open to subclassing, with a public
 * constructor, as AssertJ's soft assertions need: {@code softly.proxy(ContainerAssert.class, Container.class, c)}.
 */
public class ContainerAssert extends AbstractAssert<ContainerAssert, Container> {
    public ContainerAssert(Container actual) {
        super(actual, ContainerAssert.class);
    }

    /** {@code hostname} inside prints {@code expected}. */
    public ContainerAssert hasHostname(String expected) {
        isNotNull();
        ExecResult hostname = actual.exec("hostname");
        if (!hostname.succeeded() || !hostname.stdout().strip().equals(expected)) {
            failWithMessage("Expected container %s to have hostname <%s>, but %s", actual.id(), expected, hostname.describe());
        }
        return this;
    }

    /**
     * The container has a pid namespace of its own: PID 1 exists inside, and the processes visible
     * inside are exactly those the host sees in the container's pid namespace, no host process.
     */
    public ContainerAssert hasOwnPidNamespace() {
        isNotNull();
        // One shell lists /proc from inside; the shell and its ls are in the container too.
        ExecResult inside = actual.exec("sh", "-c", "cd /proc && ls -d [0-9]*");
        if (!inside.succeeded()) {
            failWithMessage("Expected to list the processes of container %s, but %s", actual.id(), inside.describe());
        }
        long visible = inside.stdout().lines().count();
        if (inside.stdout().lines().noneMatch("1"::equals)) {
            failWithMessage("Expected PID 1 inside container %s, but /proc lists %s", actual.id(),
                    ControlCharacters.escape(inside.stdout().strip()));
        }
        long ownProcesses = actual.hostPids().size();
        // The shell and ls ended between the listing and the host's count: allow for them.
        if (visible > ownProcesses + 2) {
            failWithMessage("Expected container %s to see only its own processes, but it lists %d while its pid namespace "
                    + "holds %d: %s", actual.id(), visible, ownProcesses, ControlCharacters.escape(inside.stdout().strip()));
        }
        return this;
    }

    /** pids.peak: the container never had more than {@code cap} tasks. */
    public ContainerAssert pidsNeverExceeded(long cap) {
        CgroupStats stats = stats();
        if (stats.pidsPeak() < 0 || stats.pidsPeak() > cap) {
            failWithMessage("Expected container %s never to exceed %d tasks, but its peak was %d (%s)",
                    actual.id(), cap, stats.pidsPeak(), stats);
        }
        return this;
    }

    /** The pids limit refused at least one fork. */
    public ContainerAssert refusedForks() {
        CgroupStats stats = stats();
        if (stats.forksRefused() <= 0) {
            failWithMessage("Expected the pids limit of container %s to have refused forks, but it refused none (%s)",
                    actual.id(), stats);
        }
        return this;
    }

    /** The memory peak stayed at or under {@code bound}, such as {@code "64m"}. */
    public ContainerAssert memoryPeakAtMost(String bound) {
        long bytes = MemorySize.parseBytes(bound);
        CgroupStats stats = stats();
        if (stats.memoryPeakBytes() < 0 || stats.memoryPeakBytes() > bytes) {
            failWithMessage("Expected the memory peak of container %s to stay within %s (%d bytes), but it was %d (%s)",
                    actual.id(), bound, bytes, stats.memoryPeakBytes(), stats);
        }
        return this;
    }

    /** The OOM killer ended at least one of the container's processes. */
    public ContainerAssert hadOomKill() {
        CgroupStats stats = stats();
        if (stats.oomKills() <= 0) {
            failWithMessage("Expected an OOM kill in container %s, but there was none (%s)", actual.id(), stats);
        }
        return this;
    }

    /** The OOM killer ended none of the container's processes: its work fit its memory limit. */
    public ContainerAssert hadNoOomKill() {
        CgroupStats stats = stats();
        if (stats.oomKills() > 0) {
            failWithMessage("Expected no OOM kill in container %s, but the OOM killer ended %d of its processes (%s)",
                    actual.id(), stats.oomKills(), stats);
        } else if (stats.oomKills() < 0) {
            failWithMessage("Expected no OOM kill in container %s, but this host does not count them (%s)", actual.id(), stats);
        }
        return this;
    }

    /**
     * The CPU time the container's processes used so far stayed at or under {@code bound} (v2 cpu.stat
     * usage_usec, v1 cpuacct.usage): with a {@code cpus} limit, at most that many CPUs' worth of the
     * wall-clock time they ran.
     */
    public ContainerAssert cpuUsageAtMost(Duration bound) {
        CgroupStats stats = stats();
        if (stats.cpuUsageMicros() < 0 || stats.cpuUsageMicros() > bound.toNanos() / 1000) {
            failWithMessage("Expected the CPU usage of container %s to stay within %d ms, but it was %s (%s)", actual.id(),
                    bound.toMillis(), stats.cpuUsageMicros() < 0 ? "not counted on this host (no cpuacct controller)"
                            : stats.cpuUsageMicros() / 1000 + " ms", stats);
        }
        return this;
    }

    private CgroupStats stats() {
        isNotNull();
        return actual.stats();
    }
}
