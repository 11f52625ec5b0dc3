package dev.containerized.container.cgroup;

import dev.containerized.container.CgroupStats;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** What the v1 and v2 drivers share: the id, removal of their directories, and the figures kept after it. */
abstract sealed class CgroupDriver implements ContainerCgroup permits CgroupV1, CgroupV2 {
    /** What {@link #stats()} says after a removal whose figures were forgone. */
    private static final CgroupStats UNKNOWN = new CgroupStats(-1, -1, -1, -1, -1, -1, -1);
    private final String id;
    private final List<Path> directories;
    /** The figures read just before removal; null while the cgroup exists. */
    private volatile CgroupStats lastStats;
    private volatile boolean finalFiguresWanted = true;

    CgroupDriver(String id, List<Path> directories) {
        this.id = id;
        this.directories = List.copyOf(directories);
    }

    /** The figures as the cgroup files say now. */
    abstract CgroupStats read();

    /** How many times the OOM killer killed in this cgroup, as its files say now. */
    abstract long readOomKills();

    @Override
    public long oomKills() {
        CgroupStats last = lastStats;
        if (last != null) {
            return last.oomKills();
        }
        long now = readOomKills();
        last = lastStats;
        return last != null ? last.oomKills() : now;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public CgroupStats stats() {
        CgroupStats last = lastStats;
        if (last != null) {
            return last;
        }
        CgroupStats now = read();
        // A read that overlapped destroy() may have met files already gone (-1s); destroy() keeps the
        // final figures before it removes anything, so they are there by the time such a read ends.
        last = lastStats;
        return last != null ? last : now;
    }

    @Override
    public void forgoFinalFigures() {
        finalFiguresWanted = false;
    }

    /**
     * Keeps the figures first, then removes the directories: {@link #stats()} called meanwhile from
     * another thread returns the final figures, never the -1s of files that are going away. The
     * container's PID 1 is dead by now, so the figures no longer change.
     */
    @Override
    public synchronized void destroy(Duration timeout) {
        if (lastStats != null) {
            return;
        }
        lastStats = finalFiguresWanted ? read() : UNKNOWN;
        RuntimeException failure = null;
        for (Path dir : directories) {
            try {
                Cgroups.killAndRemove(dir, timeout);
            } catch (RuntimeException e) { // the other hierarchies' directories still go
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
