package dev.containerized.security;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.ExecResult;
import dev.containerized.container.Leaks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A command that floods its stdout must not take the test JVM down: 400 MB of output, in a JVM of 96 MiB
 * of heap, through exec, a command as PID 1 and the command line. Captured output keeps its head and its
 * tail within the output limit and counts what it dropped; the command line streams it.
 */
class OutputFloodTests {
    static final long FLOOD = 400_000_000L;
    static final String COMMAND = "head -c " + FLOOD + " /dev/zero; echo end-of-flood";

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    /** The JVM that takes the flood: reports what it kept, or dies of OutOfMemoryError. */
    public static final class FloodedJvm {
        public static void main(String[] args) {
            ContainerSpec spec = ContainerSpec.builder().build();
            try (Container c = Container.start(spec)) {
                report("exec", c.exec("sh", "-c", COMMAND));
            }
            report("run", Container.run(spec, "sh", "-c", COMMAND));
        }

        private static void report(String how, ExecResult r) {
            System.out.println(how + " exit=" + r.exitCode() + " kept=" + r.stdout().length() + " dropped=" + r.stdoutDropped()
                    + " head=" + (r.stdout().charAt(0) == 0) + " tail=" + r.stdout().endsWith("\0end-of-flood\n")
                    + " maxHeap=" + (Runtime.getRuntime().maxMemory() >> 20) + "m");
            System.out.flush();
        }
    }

    @Test
    void fourHundredMegabytesOfStdoutInAJvmOf96MiBAreKeptWithinTheLimit() throws Exception {
        String output = java(List.of("-Xmx96m", "-cp", System.getProperty("java.class.path"), FloodedJvm.class.getName()));
        long dropped = FLOOD + "end-of-flood\n".length() - ContainerSpec.DEFAULT_OUTPUT_LIMIT;
        String marker = "\n[containerized: " + dropped + " bytes of output dropped here]\n";
        long kept = ContainerSpec.DEFAULT_OUTPUT_LIMIT + marker.length();
        assertThat(output).contains("exec exit=0 kept=" + kept + " dropped=" + dropped + " head=true tail=true maxHeap=")
                .contains("run exit=0 kept=" + kept + " dropped=" + dropped + " head=true tail=true maxHeap=");
    }

    @Test
    void theCommandLineStreamsTheFloodThroughInAJvmOf96MiB() throws Exception {
        List<String> command = new ArrayList<>(List.of("-Xmx96m", "-cp", System.getProperty("java.class.path"),
                "dev.containerized.cli.Main", "run", "--", "sh", "-c", COMMAND));
        Process cli = new ProcessBuilder(javaPlus(command)).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long bytes = 0;
        byte[] buffer = new byte[1 << 16];
        int n;
        try (var in = cli.getInputStream()) {
            while ((n = in.read(buffer)) > 0) {
                bytes += n;
            }
        }
        assertThat(cli.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(cli.exitValue()).isZero();
        assertThat(bytes).isEqualTo(FLOOD + "end-of-flood\n".length());
    }

    private static String java(List<String> arguments) throws IOException, InterruptedException {
        Process jvm = new ProcessBuilder(javaPlus(arguments)).redirectErrorStream(true).start();
        String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jvm.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(jvm.exitValue()).as(output).isZero();
        return output;
    }

    private static List<String> javaPlus(List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(arguments);
        return command;
    }
}
