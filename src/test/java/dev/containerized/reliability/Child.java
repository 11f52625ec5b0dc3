package dev.containerized.reliability;

import dev.containerized.container.BackgroundProcess;
import dev.containerized.container.Container;
import dev.containerized.container.ContainerException;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.ExecResult;
import dev.containerized.container.Leaks;
import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.cgroup.ContainerCgroup;
import dev.containerized.container.host.ContainerIds;
import dev.containerized.container.host.HostContainer;
import dev.containerized.container.host.StateDirectory;
import dev.containerized.container.host.WritableLayer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The JVMs the reliability tests start, kill and watch ({@link ChildJvm}). Each mode says what it does
 * in lines the test parses: {@code TOKEN <prefix of its container ids>} first, then the mode's own
 * lines, and last {@code LEAKS <n>} with what its containers left (see {@link Leaks}). The exit status
 * is 0 when everything it checked held.
 */
public final class Child {
    /** A command that forks (two background writers) and writes (the tmpfs /tmp and the overlay's upper). */
    static final String FORK_AND_WRITE = "echo $1 > /tmp/a & echo $1 > /root/b & wait; cat /tmp/a /root/b";
    private static final ContainerSpec SPEC = ContainerSpec.builder().pidsLimit(64).build();
    private static boolean ok = true;

    private Child() {
    }

    public static void main(String[] args) throws Exception {
        say("TOKEN " + ContainerIds.thisJvm());
        switch (args[0]) {
            case "fault" -> fault();
            case "hold" -> hold();
            case "busy" -> busy(Duration.ofMillis(Long.parseLong(args[1])));
            case "load" -> load(Integer.parseInt(args[1]));
            case "sequence" -> sequence(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "sweep" -> sweep();
            case "sweep-loop" -> sweepLoop(Duration.ofMillis(Long.parseLong(args[1])));
            case "flood" -> flood(Long.parseLong(args[1]));
            case "state-filesystems" -> stateFilesystems(Path.of(args[1]));
            case "cgroupfs-read-only" -> cgroupfsReadOnly();
            case "close-fails" -> closeFails();
            default -> throw new IllegalArgumentException("no mode " + args[0]);
        }
        List<String> leaks = Leaks.find();
        say("LEAKS " + leaks.size());
        leaks.forEach(l -> say("LEAK " + l));
        System.exit(ok && leaks.isEmpty() ? 0 : 1);
    }

    /**
     * With -Dcontainerized.fault.failAt=close-pid1-killed, the close fails as if its kill of PID 1 had
     * thrown: it must still undo everything, and a close on another thread must not wait for it forever.
     */
    private static void closeFails() throws InterruptedException {
        Container c = Container.start(SPEC);
        BackgroundProcess sleeper = c.execInBackground("sleep", "600");
        try {
            c.close();
            say("FAILED the close did not fail");
            ok = false;
        } catch (ContainerException e) {
            say("CLOSE FAILED " + e.getMessage());
        }
        Thread again = new Thread(c::close, "second-close");
        again.start();
        again.join(Duration.ofSeconds(20).toMillis());
        say(again.isAlive() ? "FAILED the second close waits" : "SECOND CLOSE RETURNED");
        ok &= !again.isAlive();
        say("SLEEPER " + (sleeper.isAlive() ? "alive" : "ended"));
        ok &= !sleeper.isAlive();
    }

    /**
     * Starts a container with a command in it and closes it: with -Dcontainerized.fault.stopAt the JVM
     * stops at that phase, and the test kills it there.
     */
    private static void fault() {
        Container c = Container.start(SPEC);
        c.execInBackground("sleep", "600").pid();
        say("STARTED " + c.id());
        c.close();
        say("CLOSED " + c.id());
    }

    /** Starts a container with a command in it and waits, until the test kills this JVM. */
    private static void hold() throws InterruptedException {
        Container c = Container.start(SPEC);
        c.execInBackground("sleep", "600").pid();
        say("STARTED " + c.id());
        Thread.sleep(Long.MAX_VALUE);
    }

    /**
     * Runs containers one after another for {@code duration}, each with a command that outlives a sweep
     * of this JVM's (as every JVM's first start does), and one container that lives the whole time: every
     * command must end normally, whatever other JVMs sweep meanwhile.
     */
    private static void busy(Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        CgroupLayout layout = CgroupLayout.detect();
        int passed = 0;
        int sweeps = 0;
        int removed = 0;
        try (Container longLived = Container.start(SPEC)) {
            BackgroundProcess survivor = longLived.execInBackground("sh", "-c",
                    "sleep " + duration.toMillis() / 1000.0 + "; echo survived");
            say("LIVE " + longLived.id());
            while (System.nanoTime() < end) {
                try (Container c = Container.start(SPEC)) {
                    BackgroundProcess p = c.execInBackground("sh", "-c", "echo begin; sleep 0.2; echo end");
                    removed += HostContainer.removeWhatDeadRunsLeft(layout, Duration.ofMinutes(1));
                    sweeps++;
                    ExecResult r = p.await(Duration.ofSeconds(30));
                    check(r.succeeded() && r.stdout().equals("begin\nend\n"), "a command's result: " + r.describe());
                    passed++;
                } catch (RuntimeException e) {
                    check(false, "a container of this JVM failed: " + e);
                }
            }
            ExecResult survived = survivor.await(Duration.ofSeconds(60));
            check(survived.succeeded() && survived.stdout().equals("survived\n"), "the long-lived command: " + survived.describe());
        }
        say("BUSY passed=" + passed + " sweeps=" + sweeps + " removed=" + removed);
    }

    /** {@code n} containers in sequence, each forking and writing; every result checked. */
    private static void load(int n) {
        long start = System.nanoTime();
        int passed = 0;
        for (int i = 0; i < n; i++) {
            if (forkAndWrite(i)) {
                passed++;
            }
        }
        say("LOAD passed=" + passed + " of=" + n + " ms=" + (System.nanoTime() - start) / 1_000_000);
    }

    /** Container {@code i}: a command that forks and writes, its result checked; whether it passed. */
    private static boolean forkAndWrite(int i) {
        try (Container c = Container.start(SPEC)) {
            ExecResult r = c.exec("sh", "-c", FORK_AND_WRITE, "sh", Integer.toString(i));
            check(r.succeeded() && r.stdout().equals(i + "\n" + i + "\n"), "container " + i + ": " + r.describe());
            return true;
        } catch (RuntimeException e) {
            check(false, "container " + i + " failed: " + e);
            return false;
        }
    }

    /**
     * {@code n} containers in sequence, each forking and writing, with what this JVM holds (heap after
     * GC, RSS, descriptors, sockets, threads) every {@code every} containers: {@code MEM <count> <heap
     * bytes> <rss KiB> <fds> <sockets> <threads>}.
     */
    private static void sequence(int n, int every) {
        long start = System.nanoTime();
        int passed = 0;
        for (int i = 0; i < n; i++) {
            if (forkAndWrite(i)) {
                passed++;
            }
            if ((i + 1) % every == 0) {
                Memory.Snapshot m = Memory.Snapshot.now();
                say("MEM " + (i + 1) + " " + m.heapBytes() + " " + m.residentKib() + " " + m.fds() + " " + m.socketFds() + " " + m.threadCount());
                say("FDS " + (i + 1) + " " + String.join(" ", Memory.descriptorTargets()));
            }
        }
        say("SEQUENCE passed=" + passed + " of=" + n + " ms=" + (System.nanoTime() - start) / 1_000_000);
    }

    /** Sweeps again and again for {@code duration}, as a crowd of JVMs starting at once would. */
    private static void sweepLoop(Duration duration) {
        CgroupLayout layout = CgroupLayout.detect();
        long end = System.nanoTime() + duration.toNanos();
        int sweeps = 0;
        int removed = 0;
        while (System.nanoTime() < end) {
            removed += HostContainer.removeWhatDeadRunsLeft(layout, Duration.ofMinutes(1));
            sweeps++;
        }
        say("SWEEP-LOOP sweeps=" + sweeps + " removed=" + removed);
    }

    /** One container: the first start of a JVM sweeps what dead runs left. */
    private static void sweep() {
        try (Container c = Container.start(SPEC)) {
            check(c.exec("true").succeeded(), "true in the sweeping container");
        }
        say("SWEPT");
    }

    /** One command writing {@code bytes} to stdout, in this JVM's small heap. */
    private static void flood(long bytes) {
        long start = System.nanoTime();
        try (Container c = Container.start(SPEC)) {
            ExecResult r = c.exec("sh", "-c", "echo BEGIN; head -c " + bytes + " /dev/zero; echo END");
            long ms = (System.nanoTime() - start) / 1_000_000;
            long kept = r.stdout().length();
            check(r.succeeded(), "the flood's exit: " + r.describe());
            check(r.stdout().startsWith("BEGIN\n") && r.stdout().endsWith("END\n"), "head and tail kept");
            check(r.stdout().contains("[containerized: " + r.stdoutDropped() + " bytes of output dropped here]"),
                    "the result says how much was dropped");
            check(r.stdoutDropped() + ContainerSpec.DEFAULT_OUTPUT_LIMIT == bytes + "BEGIN\nEND\n".length(),
                    "dropped " + r.stdoutDropped() + " of " + bytes);
            say("FLOOD bytes=" + bytes + " dropped=" + r.stdoutDropped() + " kept=" + kept + " ms=" + ms
                    + " heapAfterGcMiB=" + Memory.heapAfterGc() / (1 << 20) + " peakRssMiB=" + Memory.status("VmHWM") / 1024);
        }
    }

    /**
     * The state directory's filesystem broken in each way, one base each, all on filesystems this JVM's
     * private mount namespace holds: a clear error before anything is created, or (a small filesystem)
     * ENOSPC inside the container with the host unaffected.
     */
    private static void stateFilesystems(Path mounts) throws IOException {
        // These cases are about a state filesystem that holds the containers' writable layers.
        System.setProperty(WritableLayer.PROPERTY, "stateDir");
        for (String name : List.of("read-only", "full", "no-inodes")) {
            Path base = mounts.resolve(name).resolve("containerized");
            System.setProperty(StateDirectory.BASE_PROPERTY, base.toString());
            try (Container c = Container.start(SPEC)) {
                check(false, name + ": a container started on a " + name + " state filesystem");
            } catch (ContainerException e) {
                say("CASE " + name + " refused: " + e.getMessage());
            }
            check(Leaks.find().isEmpty(), name + ": nothing left: " + Leaks.find());
            check(Files.notExists(base) || list(base).isEmpty(), name + ": no state directory in " + base + ": " + list(base));
        }
        Path small = mounts.resolve("small").resolve("containerized");
        System.setProperty(StateDirectory.BASE_PROPERTY, small.toString());
        try (Container c = Container.start(SPEC)) {
            ExecResult fill = c.exec("sh", "-c", "dd if=/dev/zero of=/root/fill bs=1M");
            ExecResult after = c.exec("sh", "-c", "echo still > /tmp/works && cat /tmp/works");
            say("CASE upper-full exit=" + fill.exitCode() + " stderr=" + fill.stderr().strip().replace('\n', '|'));
            check(fill.exitCode() != 0 && fill.stderr().contains("No space left on device"), "ENOSPC told: " + fill.describe());
            check(after.succeeded() && after.stdout().equals("still\n"), "the container still works: " + after.describe());
        }
        Path tmp = mounts.resolve("run-tmpfs").resolve("containerized");
        System.setProperty(StateDirectory.BASE_PROPERTY, tmp.toString());
        try (Container c = Container.start(SPEC)) {
            ExecResult fill = c.exec("sh", "-c", "dd if=/dev/zero of=/run/fill bs=1M");
            say("CASE tmpfs-full exit=" + fill.exitCode() + " stderr=" + fill.stderr().strip().replace('\n', '|'));
            check(fill.exitCode() != 0 && fill.stderr().contains("No space left on device"), "ENOSPC told: " + fill.describe());
        }
        // In memory, the state filesystem holds a directory and an empty lock per container: a full one still
        // takes containers, and their writes go to their own memory.
        System.setProperty(WritableLayer.PROPERTY, "memory");
        System.setProperty(StateDirectory.BASE_PROPERTY, mounts.resolve("full").resolve("containerized").toString());
        try (Container c = Container.start(ContainerSpec.builder().pidsLimit(64).memoryLimit("16m").build())) {
            ExecResult write = c.exec("sh", "-c", "dd if=/dev/zero of=/root/written bs=1M count=4 2>/dev/null && wc -c < /root/written");
            say("CASE full-in-memory exit=" + write.exitCode() + " stdout=" + write.stdout().strip());
            check(write.succeeded() && write.stdout().equals("4194304\n"), "a write to the layer in memory: " + write.describe());
        } catch (ContainerException e) {
            say("CASE full-in-memory refused: " + e.getMessage());
            check(false, "a state filesystem full of data refused a container whose layer is in memory: " + e.getMessage());
        }
        System.clearProperty(WritableLayer.PROPERTY);
        say("STATE-FILESYSTEMS done");
    }

    /**
     * The cgroup parents made read-only in the middle of a run (a bind mount of each onto itself, made
     * read-only, in this JVM's private mount namespace: the cgroupfs itself and the host's mounts are
     * untouched): a running container keeps working, a new one is refused with a clear error and leaves
     * nothing, closing the running one says what it could not remove; once writable again, the sweep
     * removes that.
     */
    private static void cgroupfsReadOnly() throws Exception {
        CgroupLayout layout = CgroupLayout.detect();
        Container running = Container.start(SPEC);
        check(running.exec("true").succeeded(), "the first container runs");
        List<Path> parents = ContainerCgroup.parents(layout);
        for (Path parent : parents) {
            shell("mount --bind " + parent + " " + parent + " && mount -o remount,bind,ro " + parent);
        }
        say("CGROUPFS read-only " + parents);
        ExecResult during = running.exec("sh", "-c", "echo still running");
        check(during.succeeded() && during.stdout().equals("still running\n"), "the running container: " + during.describe());
        long refusedAt = System.nanoTime();
        try (Container c = Container.start(SPEC)) {
            check(false, "a container started with the cgroupfs read-only");
        } catch (ContainerException e) {
            say("CASE start refused in " + (System.nanoTime() - refusedAt) / 1_000_000 + " ms: " + e.getMessage());
        }
        long closeAt = System.nanoTime();
        try {
            running.close();
            say("CASE close succeeded");
        } catch (ContainerException e) {
            say("CASE close failed in " + (System.nanoTime() - closeAt) / 1_000_000 + " ms: " + e.getMessage());
        }
        for (Path parent : parents) {
            shell("umount " + parent);
        }
        say("CGROUPFS writable again");
        say("LEFT " + String.join(" ; ", Leaks.find()));
    }

    private static void shell(String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(script + " failed: " + out);
        }
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            ok = false;
            say("FAILED " + what);
        }
    }

    static void say(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }

    static String format(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
