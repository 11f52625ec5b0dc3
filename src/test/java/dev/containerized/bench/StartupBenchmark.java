package dev.containerized.bench;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.ExecResult;
import dev.containerized.rootfs.DefaultRootfs;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How fast a container starts and runs a command, and what it costs in memory, each figure next to a
 * reference measured in the same run on the same machine, in turns with it (one by one, or five by five
 * for the rows about back-to-back work), so that the machine's drift during the run weighs on both:
 * absolute times here are noisy, the ratios are what to compare between runs and machines.
 * <ul>
 *   <li>start to first exec result (500 ms apart, back to back, and cold: the first container of a
 *       fresh JVM) and a command run as PID 1, against bubblewrap running /bin/true in new namespaces
 *       on the same rootfs; at the steady state, after the JIT compiled what a container runs, and
 *       early in a JVM's life, as a test class's first containers find it;</li>
 *   <li>one exec in a running container, against nsenter into that same container and against the
 *       host starting /bin/true with ProcessBuilder;</li>
 *   <li>PID 1's resident memory, and the test JVM's memory per open container;</li>
 *   <li>100 containers started, used and closed back to back (with the CPU time each took, against
 *       bwrap's), and 10 at a time on 10 threads, as bwrap is too (two cores shared by ten).</li>
 * </ul>
 * Run: see the README's "How fast" section. Not a test: it asserts nothing and CI does not run it.
 */
public final class StartupBenchmark {
    private static final ContainerSpec SPEC = ContainerSpec.builder().pidsLimit(64).memoryLimit("256m").build();
    /** How many of one kind run back to back before the other kind's turn. */
    private static final int BLOCK = 5;
    /** Containers of each kind a JVM has run when its early rows are measured: a test class's worth. */
    private static final int EARLY = 20;
    /**
     * Containers of each kind run before the steady rows: by then the JIT has compiled what a container
     * runs (a method called once per container is still interpreted after 20, and C2 compiles after
     * thousands of calls); measured here, 700 more made Container.run 2-10 % faster (300 more after 20: 15-30 %).
     */
    private static final int STEADY = 300;

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path rootfs = DefaultRootfs.path();
        List<String> bwrapTrue = List.of("bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", rootfs.toString(), "/",
                "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "/bin/true");
        Callable<Long> bwrap = () -> time(bwrapTrue);
        // Both paths warmed alike before they are measured (Container.run's own code, PID 1 as the
        // command and the wait for its exit, would otherwise be measured while the JIT compiles it):
        // first as a test class finds them, early in a JVM's life, then at the steady state.
        warmUp(EARLY, bwrap);
        Pair backToBackEarly = Pair.of(runs, BLOCK, StartupBenchmark::startToFirstExec, bwrap);
        Pair runEarly = Pair.of(runs, BLOCK, StartupBenchmark::timedRun, bwrap);
        warmUp(STEADY - EARLY - runs, bwrap);

        // Each row and its reference alternate in one loop, so that the machine's drift weighs on both:
        // one by one where each sample stands alone (after a pause, in a fresh JVM), in blocks where
        // back to back is the point (each container there but a block's first follows another one).
        int coldRuns = Math.max(5, runs / 2);
        Pair paused = Pair.of(runs, 1, () -> {
            Thread.sleep(500);
            return startToFirstExec();
        }, () -> {
            // After a pause, caches are cold and the cores idle: bwrap pays that too.
            Thread.sleep(500);
            return bwrap.call();
        });
        Pair backToBack = Pair.of(runs, BLOCK, StartupBenchmark::startToFirstExec, bwrap);
        Pair cold = Pair.of(coldRuns, 1, () -> coldStartInFreshJvm(FirstContainer.class), bwrap);
        Pair coldInJUnit = Pair.of(coldRuns, 1, () -> coldStartInFreshJvm(FirstContainerInJUnit.class), bwrap);
        Pair run = Pair.of(runs, BLOCK, StartupBenchmark::timedRun, bwrap);
        Pair execVsNsenter;
        Pair execVsHost;
        long pid1RssKib;
        try (Container c = Container.start(SPEC)) {
            for (int i = 0; i < 20; i++) {
                check(c.exec("true"));
            }
            Callable<Long> exec = () -> {
                long t0 = System.nanoTime();
                ExecResult r = c.exec("true");
                long t1 = System.nanoTime();
                check(r);
                return t1 - t0;
            };
            String pid = Long.toString(c.initPid());
            execVsNsenter = Pair.of(runs, BLOCK, exec, () -> time(List.of("nsenter", "-t", pid, "-m", "-u", "-i", "-n", "-p", "-r", "-w", "true")));
            execVsHost = Pair.of(runs, BLOCK, exec, () -> time(List.of("/bin/true")));
            pid1RssKib = statusKib(c.initPid(), "VmRSS:");
        }
        double perContainerKib = jvmMemoryPerOpenContainer(50);
        long cpuBefore = cpuTicks();
        double hundredInSequence = time(() -> {
            for (int i = 0; i < 100; i++) {
                startToFirstExec();
            }
        }) / 100.0;
        double cpuPerContainer = (cpuTicks() - cpuBefore) * 10.0 / 100;
        cpuBefore = cpuTicks();
        for (int i = 0; i < 100; i++) {
            bwrap.call();
        }
        double cpuPerBwrap = (cpuTicks() - cpuBefore) * 10.0 / 100;
        double[] parallel = tenAtATime(10, 10, StartupBenchmark::startToFirstExec);
        // Right after the two rounds above, for the ratios of both.
        double oneStart = median(runs, StartupBenchmark::startToFirstExec);
        // bwrap the same way: what sharing two cores between ten costs a start that is mostly CPU.
        double[] parallelBwrap = tenAtATime(10, 10, bwrap);
        double oneBwrap = median(runs, bwrap);
        long bwrapRssKib = bwrapResidentKib(rootfs);

        System.out.printf(Locale.ROOT, "%-58s %8s  %-40s %s%n", "measure (medians of " + runs + ", cold ones of " + coldRuns + ")",
                "ms", "reference (alternated with the measure)", "ratio");
        System.out.printf(Locale.ROOT, "steady: after %d containers of each kind%n", STEADY);
        row("Container.start -> first exec(\"true\") result, 500 ms apart", paused, "bwrap, 500 ms apart");
        row("Container.start -> first exec(\"true\") result, back to back", backToBack, "bwrap");
        row("Container.run(spec, \"true\"), the command as PID 1", run, "bwrap");
        System.out.printf(Locale.ROOT, "early: containers %d to %d of each kind in this JVM%n", EARLY + 1, EARLY + runs);
        row("Container.start -> first exec(\"true\") result, back to back", backToBackEarly, "bwrap");
        row("Container.run(spec, \"true\"), the command as PID 1", runEarly, "bwrap");
        System.out.println("cold: the first container of a fresh JVM");
        row("Container.start -> first exec(\"true\") result, no JUnit", cold, "bwrap");
        row("the same, the first test of a JUnit run", coldInJUnit, "bwrap");
        System.out.println("steady:");
        row("exec(\"true\") in a running container", execVsNsenter, "nsenter into it");
        row("", execVsHost, "host ProcessBuilder /bin/true");
        row("100 containers started, used, closed back to back (mean)", new Pair(hundredInSequence, oneStart), "one start, measured after");
        row("10 threads x 10 containers: median start -> first result", new Pair(parallel[0], oneStart), "one start, measured after");
        row("10 threads x 10 containers: slowest start -> first result", new Pair(parallel[1], oneStart), "one start, measured after");
        row("bwrap, 10 threads x 10, the same way: median", new Pair(parallelBwrap[0], oneBwrap), "one bwrap, measured after");
        System.out.println("bwrap: bwrap --unshare-all --ro-bind ROOTFS / --proc /proc --dev /dev --tmpfs /tmp /bin/true; "
                + "nsenter: nsenter -t PID1 -m -u -i -n -p -r -w true");
        System.out.printf(Locale.ROOT, "CPU per container, 100 back to back: %.1f ms; per bwrap one-shot: %.1f ms (%.2f x; this "
                + "process's threads and its reaped children, not the kernel's workers)%n", cpuPerContainer, cpuPerBwrap,
                cpuPerContainer / cpuPerBwrap);
        System.out.printf(Locale.ROOT, "PID 1 resident memory: %d KiB (bwrap's own: %d KiB)%n", pid1RssKib, bwrapRssKib);
        System.out.printf(Locale.ROOT, "test JVM memory per open container (50 open): %.0f KiB%n", perContainerKib);
    }

    /** The median of {@code runs} of a measure and of its reference, taken in turns of {@code block} each. */
    private record Pair(double measure, double reference) {
        static Pair of(int runs, int block, Callable<Long> measure, Callable<Long> reference) throws Exception {
            List<Long> measured = new ArrayList<>();
            List<Long> references = new ArrayList<>();
            while (measured.size() < runs) {
                for (int i = 0; i < block && measured.size() < runs; i++) {
                    measured.add(measure.call());
                }
                for (int i = 0; i < block && references.size() < runs; i++) {
                    references.add(reference.call());
                }
            }
            return new Pair(median(measured), median(references));
        }
    }

    private static void warmUp(int containers, Callable<Long> bwrap) throws Exception {
        for (int i = 0; i < containers; i++) {
            startToFirstExec();
            check(Container.run(SPEC, "true"));
            bwrap.call();
        }
    }

    private static long timedRun() {
        long t0 = System.nanoTime();
        check(Container.run(SPEC, "true"));
        return System.nanoTime() - t0;
    }

    private static long startToFirstExec() {
        long t0 = System.nanoTime();
        try (Container c = Container.start(SPEC)) {
            ExecResult r = c.exec("true");
            long t1 = System.nanoTime();
            check(r);
            return t1 - t0;
        }
    }

    /** A fresh JVM measures its own first container: classes, JNA and the init's memfd all cold. */
    private static long coldStartInFreshJvm(Class<?> main) throws IOException, InterruptedException {
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), main.getName()).redirectErrorStream(true).start();
        String out = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (jvm.waitFor() != 0) {
            throw new IllegalStateException("the cold-start JVM failed: " + out);
        }
        return Long.parseLong(out.substring(out.lastIndexOf('\n') + 1));
    }

    /** Prints the nanoseconds from its first Container.start to the first exec result. */
    public static final class FirstContainer {
        public static void main(String[] args) {
            System.out.println(startToFirstExec());
        }
    }

    /**
     * Runs one test through the JUnit launcher, as Surefire would; the test prints the nanoseconds from
     * its Container.start to the first exec result. The launcher's session start lets Containerized
     * prepare (JNA, its classes, the seccomp filter, then one throwaway container) while the tests are
     * discovered; with one quick class to discover, the test starts while the throwaway container is
     * still closing, as a small project's first test would.
     */
    public static final class FirstContainerInJUnit {
        public static void main(String[] args) {
            org.junit.platform.launcher.core.LauncherFactory.create().execute(
                    org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request()
                            .selectors(org.junit.platform.engine.discovery.DiscoverySelectors.selectClass(FirstTest.class)).build());
        }

        static final class FirstTest {
            @org.junit.jupiter.api.Test
            void first() {
                System.out.println(startToFirstExec());
            }
        }
    }

    /** Resident memory of this JVM with {@code count} idle containers open, less before, per container. */
    private static double jvmMemoryPerOpenContainer(int count) throws Exception {
        List<Container> open = new ArrayList<>();
        gc();
        long before = statusKib(ProcessHandle.current().pid(), "VmRSS:");
        try {
            for (int i = 0; i < count; i++) {
                Container c = Container.start(SPEC);
                open.add(c);
                check(c.exec("true"));
            }
            gc();
            long after = statusKib(ProcessHandle.current().pid(), "VmRSS:");
            return (after - before) / (double) count;
        } finally {
            open.forEach(Container::close);
        }
    }

    /** Median and slowest time of {@code threads} threads each running {@code measure} {@code each} times, all at once. */
    private static double[] tenAtATime(int threads, int each, Callable<Long> measure) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    List<Long> times = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        times.add(measure.call());
                    }
                    return times;
                }));
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> f : futures) {
                all.addAll(f.get());
            }
            Collections.sort(all);
            return new double[] {all.get(all.size() / 2), all.get(all.size() - 1)};
        } finally {
            pool.shutdown();
        }
    }

    private static long bwrapResidentKib(Path rootfs) throws Exception {
        Process p = new ProcessBuilder("bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", rootfs.toString(), "/",
                "--proc", "/proc", "--dev", "/dev", "/bin/sleep", "2").start();
        Thread.sleep(500);
        // bwrap stays as the parent of its command (and PID 1 of its pid namespace, with --unshare-pid).
        long kib = statusKib(p.pid(), "VmRSS:");
        p.waitFor();
        return kib;
    }

    private static void row(String name, Pair pair, String reference) {
        System.out.printf(Locale.ROOT, "%-58s %8.2f  %-40s %.2f x%n", name, pair.measure / 1e6,
                String.format(Locale.ROOT, "%.2f ms %s", pair.reference / 1e6, reference), pair.measure / pair.reference);
    }

    private static void check(ExecResult r) {
        if (!r.succeeded()) {
            throw new IllegalStateException(r.describe());
        }
    }

    /**
     * CPU time of this process and of its children it reaped (utime, stime, cutime, cstime of
     * /proc/self/stat), in clock ticks of 10 ms (USER_HZ, 100 on Linux): PID 1 is reaped by its container's
     * thread, and the commands' time is in PID 1's.
     */
    private static long cpuTicks() throws IOException {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // After the command's name: state is field 3, so utime (14) is at index 11.
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
    }

    private static long time(List<String> command) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(command + " exited " + p.exitValue());
        }
        return System.nanoTime() - t0;
    }

    private interface Work {
        void run() throws Exception;
    }

    private static long time(Work work) throws Exception {
        long t0 = System.nanoTime();
        work.run();
        return System.nanoTime() - t0;
    }

    private static double median(int runs, Callable<Long> run) throws Exception {
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            times.add(run.call());
        }
        return median(times);
    }

    private static double median(List<Long> times) {
        List<Long> sorted = new ArrayList<>(times);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }

    private static long statusKib(long pid, String field) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith(field))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(-1L);
    }

    private static void gc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        ManagementFactory.getMemoryMXBean().gc();
    }
}
