package dev.containerized.bench;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.ExecResult;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * How fast a command's captured output is taken in when it floods: 400 MB on stdout through exec, kept
 * within the output limit (head and tail, the middle counted), against the reference of the same bytes
 * read from a host process's pipe (the same busybox head) by ProcessBuilder into a discarding buffer, in the same run.
 * Run: java -cp target/classes:target/test-classes:$(cat target/test-classpath.txt) dev.containerized.bench.OutputFloodBenchmark 5
 * Not a test: it asserts nothing and CI does not run it.
 */
public final class OutputFloodBenchmark {
    private static final long BYTES = 400_000_000L;

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            for (int i = 0; i < 2; i++) {
                viaExec(c);
                viaHostPipe();
            }
            List<Long> exec = new ArrayList<>();
            List<Long> host = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                exec.add(viaExec(c));
                host.add(viaHostPipe());
            }
            double e = median(exec) / 1e6;
            double h = median(host) / 1e6;
            System.out.printf(Locale.ROOT, "400 MB of stdout, median of %d: exec %.0f ms (%.0f MB/s), host pipe %.0f ms (%.0f MB/s), ratio %.2f%n",
                    runs, e, BYTES / 1e3 / e, h, BYTES / 1e3 / h, e / h);
        }
    }

    private static long viaExec(Container c) {
        long t0 = System.nanoTime();
        ExecResult r = c.exec("head", "-c", Long.toString(BYTES), "/dev/zero");
        long elapsed = System.nanoTime() - t0;
        if (r.exitCode() != 0 || r.stdoutDropped() != BYTES - ContainerSpec.DEFAULT_OUTPUT_LIMIT) {
            throw new IllegalStateException(r.describe());
        }
        return elapsed;
    }

    private static long viaHostPipe() throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("busybox", "head", "-c", Long.toString(BYTES), "/dev/zero").start();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try (InputStream in = p.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
            }
        }
        p.waitFor();
        if (total != BYTES) {
            throw new IllegalStateException("read " + total);
        }
        return System.nanoTime() - t0;
    }

    private static double median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
