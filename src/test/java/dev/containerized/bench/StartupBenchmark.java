package dev.containerized.bench;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.ExecResult;
import dev.containerized.rootfs.DefaultRootfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * How fast a container starts and runs a command, each as a median over N runs, next to references
 * measured in the same run on the same machine (absolute times here are noisy; ratios are what to
 * compare between runs):
 * <ul>
 *   <li>start to first exec result, against bubblewrap running /bin/true in new namespaces on the same
 *       rootfs, and against a bare JVM start with the init's flags (the floor of our design);</li>
 *   <li>one exec in a running container, against the host starting /bin/true with ProcessBuilder.</li>
 * </ul>
 * Run: see the README's "Benchmark" section. Not a test: it asserts nothing and CI does not run it.
 */
public final class StartupBenchmark {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path rootfs = DefaultRootfs.path();
        ContainerSpec spec = ContainerSpec.builder().pidsLimit(64).memoryLimit("256m").build();
        warmUp(spec);

        // Warm: the prestarted init had time to boot (a test's own work usually gives it that time).
        double startToExec = median(runs, () -> {
            Thread.sleep(500);
            return startToFirstExec(spec);
        });
        double run = median(runs, () -> {
            Thread.sleep(500);
            long t0 = System.nanoTime();
            check(Container.run(spec, "true"));
            return System.nanoTime() - t0;
        });
        // Cold: every init boots while the test waits.
        System.setProperty("containerized.prestart", "false");
        double coldStartToExec = median(runs, () -> startToFirstExec(spec));
        System.clearProperty("containerized.prestart");
        double exec;
        long initRssKib;
        try (Container c = Container.start(spec)) {
            for (int i = 0; i < 5; i++) {
                check(c.exec("true"));
            }
            exec = median(runs, () -> {
                long t0 = System.nanoTime();
                ExecResult r = c.exec("true");
                long t1 = System.nanoTime();
                check(r);
                return t1 - t0;
            });
            initRssKib = rssKib(c.initPid());
        }
        double hostSpawn = median(runs, () -> time(List.of("/bin/true")));
        double bareJvm = median(runs, () -> time(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), Noop.class.getName())));
        Double bwrap = Files.isExecutable(Path.of("/usr/bin/bwrap")) ? median(runs, () -> time(List.of("/usr/bin/bwrap",
                "--unshare-all", "--die-with-parent", "--ro-bind", rootfs.toString(), "/", "--proc", "/proc",
                "--dev", "/dev", "--tmpfs", "/tmp", "/bin/true"))) : null;

        System.out.printf(Locale.ROOT, "%-50s %10s %s%n", "measure (median of " + runs + ")", "ms", "ratio");
        row("Container.start -> first exec (prestarted init)", startToExec, null, null);
        if (bwrap != null) {
            row("  reference: bwrap --unshare-all /bin/true", bwrap, startToExec, "start / bwrap");
        }
        row("  reference: bare JVM start, init's flags", bareJvm, startToExec, "start / JVM");
        row("Container.run(\"true\"), command as PID 1 (prestarted)", run, null, null);
        row("  reference: bare JVM start, init's flags", bareJvm, run, "run / JVM");
        row("Container.start -> first exec (cold, no prestart)", coldStartToExec, null, null);
        if (bwrap != null) {
            row("  reference: bwrap --unshare-all /bin/true", bwrap, coldStartToExec, "start / bwrap");
        }
        row("  reference: bare JVM start, init's flags", bareJvm, coldStartToExec, "start / JVM");
        row("exec(\"true\") in a running container", exec, null, null);
        row("  reference: host ProcessBuilder /bin/true", hostSpawn, exec, "exec / host spawn");
        System.out.printf(Locale.ROOT, "init JVM resident memory: %d KiB%n", initRssKib);
    }

    private static long startToFirstExec(ContainerSpec spec) {
        long t0 = System.nanoTime();
        try (Container c = Container.start(spec)) {
            ExecResult r = c.exec("true");
            long t1 = System.nanoTime();
            check(r);
            return t1 - t0;
        }
    }

    private static void row(String name, double nanos, Double of, String ratioName) {
        String ratio = of == null ? "" : String.format(Locale.ROOT, "%s = %.2f", ratioName, of / nanos);
        System.out.printf(Locale.ROOT, "%-50s %10.1f %s%n", name, nanos / 1e6, ratio);
    }

    private static void warmUp(ContainerSpec spec) {
        for (int i = 0; i < 3; i++) {
            try (Container c = Container.start(spec)) {
                check(c.exec("true"));
            }
        }
    }

    private static void check(ExecResult r) {
        if (!r.succeeded()) {
            throw new IllegalStateException(r.describe());
        }
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

    private static double median(int runs, Callable<Long> run) throws Exception {
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            times.add(run.call());
        }
        Collections.sort(times);
        return runs % 2 == 1 ? times.get(runs / 2) : (times.get(runs / 2 - 1) + times.get(runs / 2)) / 2.0;
    }

    private static long rssKib(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(-1L);
    }

    /** The smallest Java program: what starting a JVM costs by itself. */
    public static final class Noop {
        public static void main(String[] args) {
        }
    }
}
