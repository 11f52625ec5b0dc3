package dev.containerized.reliability;

import dev.containerized.container.BackgroundProcess;
import dev.containerized.container.Container;
import dev.containerized.container.ContainerException;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.ExecResult;
import dev.containerized.container.Leaks;
import dev.containerized.container.Seccomp;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bad input everywhere: generated values for every {@link ContainerSpec} field (empty, huge, negative,
 * unicode, NUL bytes, paths with "..", symlinks), commands with NUL bytes, 100,000 arguments and more
 * than execve takes, and a container used wrongly (closed, closed twice, closed under a running exec,
 * used from 20 threads). Each is a clear error that names the problem — refused before anything is
 * created, or the command's own result — and leaves nothing behind. A few values at the edge are valid
 * and must work; they are marked so.
 */
class BadInputTests {
    static final String HUGE = "x".repeat(100_000);
    @TempDir
    static Path dir;
    static Path rootfs;

    @BeforeAll
    static void aSmallRootfsWithSymlinks() throws Exception {
        rootfs = dir.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("etc"));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "true", "pwd", "echo", "cat")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.createSymbolicLink(rootfs.resolve("out"), Path.of("/../../../../etc")); // climbs, stays in the root
        Files.createSymbolicLink(rootfs.resolve("loop"), Path.of("loop"));
        Files.createSymbolicLink(rootfs.resolve("file"), Path.of("/bin/busybox"));
        Files.createSymbolicLink(rootfs.resolve("dangling"), Path.of("/nowhere"));
        Files.createSymbolicLink(dir.resolve("rootfs-link"), rootfs);
        Files.createSymbolicLink(dir.resolve("rootfs-loop"), dir.resolve("rootfs-loop"));
        Files.createSymbolicLink(dir.resolve("rootfs-dangling"), dir.resolve("nowhere"));
        Files.writeString(dir.resolve("a-file"), "not a directory");
        Files.createDirectories(dir.resolve("empty"));
        Files.createDirectories(dir.resolve("ünïcödé-日本"));
        Files.copy(rootfs.resolve("bin/busybox"), Files.createDirectories(dir.resolve("ünïcödé-日本/bin")).resolve("true"));
    }

    @AfterAll
    static void absoluteSymlinksGoFirst() throws Exception {
        // JUnit's @TempDir cleanup warns about links pointing out of it; these point into the container's root.
        Files.delete(rootfs.resolve("out"));
        Files.delete(rootfs.resolve("file"));
    }

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    /** One generated value for one field: how to build the spec, and what its error must say (null: valid, must work). */
    record Input(String field, String value, Supplier<ContainerSpec.Builder> spec, String mustSay) {
        @Override
        public String toString() {
            String shown = value.length() > 60 ? value.substring(0, 40) + "…(" + value.length() + " chars)" : value;
            return field + " = " + shown.replace("\0", "\\0") + (mustSay == null ? " (valid)" : "");
        }
    }

    static Input bad(String field, String value, Supplier<ContainerSpec.Builder> spec, String mustSay) {
        return new Input(field, value, spec, mustSay);
    }

    static Input valid(String field, String value, Supplier<ContainerSpec.Builder> spec) {
        return new Input(field, value, spec, null);
    }

    static ContainerSpec.Builder b() {
        return ContainerSpec.builder();
    }

    static List<Input> specInputs() {
        List<Input> in = new ArrayList<>();
        // hostname
        for (String h : new String[] {"", " ", "-box", "a b", "a/b", "a\0b", "hôte", "日本", "a".repeat(65), HUGE}) {
            in.add(bad("hostname", h, () -> b().hostname(h), "hostname \"" + h + "\" is invalid"));
        }
        in.add(bad("hostname", "null", () -> b().hostname(null), "hostname \"null\" is invalid"));
        in.add(valid("hostname", "a".repeat(64), () -> b().hostname("a".repeat(64))));
        // pids limit
        for (long n : new long[] {0, -1, Long.MIN_VALUE}) {
            in.add(bad("pidsLimit", Long.toString(n), () -> b().pidsLimit(n), "pids limit " + n + " is too low"));
        }
        for (long n : new long[] {4_194_305, Long.MAX_VALUE}) {
            in.add(bad("pidsLimit", Long.toString(n), () -> b().pidsLimit(n), "pids limit " + n + " is above"));
        }
        in.add(valid("pidsLimit", "4194304", () -> b().pidsLimit(4_194_304)));
        // memory limit, in bytes and as text
        for (long n : new long[] {-1, 0, (4L << 20) - 1, Long.MIN_VALUE}) {
            in.add(bad("memoryLimit", Long.toString(n), () -> b().memoryLimit(n), "memory limit " + n + " bytes is below 4 MiB"));
        }
        in.add(valid("memoryLimit", "Long.MAX_VALUE", () -> b().memoryLimit(Long.MAX_VALUE)));
        for (String s : new String[] {"", " ", "-1m", "0", "1.5g", "64 m", "６４m", "64\0m", "1e", "99999999999g", "0x40m", HUGE}) {
            in.add(bad("memoryLimit", s, () -> b().memoryLimit(s), "memory size \"" + s + "\" does not parse"));
        }
        in.add(bad("memoryLimit", "null", () -> b().memoryLimit((String) null), "memory size \"null\" does not parse"));
        // environment
        for (String name : new String[] {"", "=", "A=B", "A\0B"}) {
            in.add(bad("env name", name, () -> b().env(name, "v"), "environment variable name \"" + name + "\" is invalid"));
        }
        in.add(bad("env name", "null", () -> b().env(null, "v"), "environment variable name \"null\" is invalid"));
        in.add(bad("env value", "\\0", () -> b().env("A", "a\0b"), "environment variable A needs a value without NUL"));
        in.add(bad("env value", "null", () -> b().env("A", null), "environment variable A needs a value without NUL"));
        // Longer than execve takes for one string (128 KiB): every command's result says E2BIG.
        in.add(bad("env value", "200,000 chars", () -> b().env("BIG", "x".repeat(200_000)), "E2BIG (Argument list too long)"));
        in.add(valid("env name", "ÄÖ=ü", () -> b().env("ÄÖ", "ü")));
        // working directory
        for (String w : new String[] {"", "tmp", "./tmp", "../tmp", "~"}) {
            in.add(bad("workingDirectory", w, () -> b().workingDirectory(w), "working directory \"" + w + "\" must be an absolute path"));
        }
        in.add(bad("workingDirectory", "null", () -> b().workingDirectory(null), "working directory \"null\" must be an absolute path"));
        in.add(bad("workingDirectory", "/tmp\\0/x", () -> b().workingDirectory("/tmp\0/x"), "holds a NUL"));
        in.add(bad("workingDirectory", "/" + "a".repeat(5000), () -> b().workingDirectory("/" + "a".repeat(5000)), "longer than"));
        in.add(bad("workingDirectory", "/" + "a".repeat(300), () -> b().workingDirectory("/" + "a".repeat(300)), "longer than"));
        in.add(bad("workingDirectory", "/no/such", () -> b().workingDirectory("/no/such"), "chdir(\"/no/such\"): ENOENT"));
        in.add(bad("workingDirectory", "/tmp/ünï", () -> b().workingDirectory("/tmp/ünï"), "chdir(\"/tmp/ünï\"): ENOENT"));
        in.add(bad("workingDirectory", "/etc/passwd", () -> b().workingDirectory("/etc/passwd"), "chdir(\"/etc/passwd\"): ENOTDIR"));
        in.add(valid("workingDirectory", "/../../..", () -> b().workingDirectory("/../../..")));
        in.add(valid("workingDirectory", "/etc/../tmp", () -> b().workingDirectory("/etc/../tmp")));
        // symlinks in a rootfs of ours: one climbing out (resolved inside the root), a loop, a file, a dangling one
        in.add(valid("workingDirectory", "/out (symlink to /../../../../etc)", () -> b().rootfs(rootfs).workingDirectory("/out")));
        in.add(bad("workingDirectory", "/loop (symlink loop)", () -> b().rootfs(rootfs).workingDirectory("/loop"), "chdir(\"/loop\"): ELOOP"));
        in.add(bad("workingDirectory", "/file (symlink to a file)", () -> b().rootfs(rootfs).workingDirectory("/file"), "chdir(\"/file\"): ENOTDIR"));
        in.add(bad("workingDirectory", "/dangling", () -> b().rootfs(rootfs).workingDirectory("/dangling"), "chdir(\"/dangling\"): ENOENT"));
        // rootfs
        in.add(bad("rootfs", "missing", () -> b().rootfs(dir.resolve("nope")), "does not exist or is not a directory"));
        in.add(bad("rootfs", "a file", () -> b().rootfs(dir.resolve("a-file")), "does not exist or is not a directory"));
        in.add(bad("rootfs", "empty", () -> b().rootfs(dir.resolve("empty")), "is empty"));
        in.add(bad("rootfs", "symlink loop", () -> b().rootfs(dir.resolve("rootfs-loop")), "does not exist or is not a directory"));
        in.add(bad("rootfs", "dangling symlink", () -> b().rootfs(dir.resolve("rootfs-dangling")), "does not exist or is not a directory"));
        in.add(bad("rootfs", "/a/b/../../no/such", () -> b().rootfs(dir.resolve("a/b/../../no/such")), "does not exist or is not a directory"));
        in.add(bad("rootfs", "huge path", () -> b().rootfs(dir.resolve("a/".repeat(3000))), "does not exist or is not a directory"));
        in.add(valid("rootfs", "a symlink to a rootfs", () -> b().rootfs(dir.resolve("rootfs-link"))));
        in.add(valid("rootfs", "a unicode path", () -> b().rootfs(dir.resolve("ünïcödé-日本"))));
        // exec timeout and output limit
        in.add(bad("execTimeout", "null", () -> b().execTimeout(null), "exec timeout null must be positive"));
        in.add(bad("execTimeout", "0", () -> b().execTimeout(Duration.ZERO), "exec timeout PT0S must be positive"));
        in.add(bad("execTimeout", "-1s", () -> b().execTimeout(Duration.ofSeconds(-1)), "exec timeout PT-1S must be positive"));
        in.add(valid("execTimeout", "Long.MAX_VALUE s", () -> b().execTimeout(Duration.ofSeconds(Long.MAX_VALUE))));
        for (String s : new String[] {"0", "1", "1023", "-1k", "", "８k", "1\0k"}) {
            in.add(bad("outputLimit", s, () -> b().outputLimit(s), "output limit \"" + s + "\""));
        }
        in.add(bad("outputLimit", "null", () -> b().outputLimit(null), "output limit \"null\""));
        in.add(valid("outputLimit", "8g (above what a Java array holds)", () -> b().outputLimit("8g")));
        // seccomp
        in.add(bad("seccomp", "null", () -> b().seccomp(null), "seccomp must not be null"));
        in.add(bad("seccomp", "a missing file", () -> b().seccomp(Seccomp.fromFile(dir.resolve("nope.json"))), "does not exist"));
        in.add(bad("seccomp", "a directory", () -> b().seccomp(Seccomp.fromFile(dir)), "is a directory"));
        in.add(bad("seccomp", "an empty file", () -> b().seccomp(Seccomp.fromFile(write("empty.json", ""))), "invalid JSON"));
        in.add(bad("seccomp", "{}", () -> b().seccomp(Seccomp.fromFile(write("obj.json", "{}"))), "has no \"defaultAction\""));
        in.add(bad("seccomp", "NUL in JSON", () -> b().seccomp(Seccomp.fromFile(write("nul.json", "{\"defaultAction\":\"SCMP_ACT_\0\"}"))),
                "invalid JSON at line 1, column 28"));
        in.add(bad("seccomp", "an unknown action", () -> b().seccomp(Seccomp.fromFile(write("nope.json", "{\"defaultAction\":\"SCMP_ACT_NOPE\"}"))),
                "unknown action \"SCMP_ACT_NOPE\""));
        return in;
    }

    static Path write(String name, String text) {
        try {
            return Files.writeString(dir.resolve(name), text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @TestFactory
    Stream<DynamicTest> everySpecFieldRefusesBadValuesByName() {
        return specInputs().stream().map(input -> DynamicTest.dynamicTest(input.toString(), () -> {
            Tally.badInputs(input.mustSay() == null ? 0 : 1);
            String outcome = outcome(() -> {
                ContainerSpec spec = input.spec().get().build();
                Tally.containers(1);
                try (Container c = Container.start(spec)) {
                    return c.exec("true");
                }
            });
            if (input.mustSay() == null) {
                assertThat(outcome).as(input.toString()).isEqualTo("exit 0");
            } else {
                assertThat(outcome).as(input.toString()).contains(input.mustSay()).isNotEqualTo("exit 0");
            }
            assertThat(Leaks.find()).as("left by " + input).isEmpty();
        }));
    }

    /**
     * One {@code @Containerized} as a test class would carry it (on the class or on the method), with
     * configuration parameters, and what the failure must say.
     */
    record AnnotationInput(String attributes, boolean onMethod, Map<String, String> configuration, String mustSay) {
        // mustSay null: a valid edge, whose test must pass
        @Override
        public String toString() {
            String shown = attributes.length() > 70 ? attributes.substring(0, 50) + "…(" + attributes.length() + " chars)" : attributes;
            return "@Containerized(" + shown + ")" + (onMethod ? " on a method" : " on a class") + (configuration.isEmpty() ? "" : " " + configuration);
        }
    }

    static List<AnnotationInput> annotationInputs() {
        List<AnnotationInput> in = new ArrayList<>();
        java.util.function.BiConsumer<String, String> add = (attributes, mustSay) ->
                in.add(new AnnotationInput(attributes, in.size() % 2 == 1, Map.of(), mustSay));
        String huge = "y".repeat(60_000); // a class file's constant takes at most 65535 bytes
        String loop = dir.resolve("rootfs-loop").toString();
        add.accept("rootfs = \"/no/such\"", "rootfs /no/such does not exist");
        add.accept("rootfs = \"../no/such/../../x\"", "does not exist or is not a directory");
        add.accept("rootfs = \"/tmp\\0x\"", "Nul character not allowed");
        add.accept("rootfs = \"/tmp/ünï\"", "rootfs /tmp/ünï does not exist");
        add.accept("rootfs = \"" + loop + "\"", "rootfs " + loop + " does not exist or is not a directory");
        add.accept("rootfs = \"/" + huge + "\"", "does not exist or is not a directory");
        for (String h : new String[] {"-bad", "a b", "a\\0b", "日本", huge}) {
            add.accept("hostname = \"" + h + "\"", "is invalid: use 1 to 64 letters");
        }
        for (String n : new String[] {"0", "-2", "Long.MIN_VALUE", "4194305", "Long.MAX_VALUE"}) {
            add.accept("pidsLimit = " + n, "pids limit ");
        }
        for (String m : new String[] {"-1m", "0", "６４m", "64\\0m", "1.5g", huge}) {
            add.accept("memoryLimit = \"" + m + "\"", "does not parse");
        }
        add.accept("env = \"NOEQUALS\"", "env entry \"NOEQUALS\" must be NAME=VALUE");
        add.accept("env = \"=x\"", "env entry \"=x\" must be NAME=VALUE");
        add.accept("env = \"\"", "env entry \"\" must be NAME=VALUE");
        add.accept("env = \"A\\0=b\"", "is invalid: it must be non-empty and contain neither '=' nor NUL");
        add.accept("env = \"A=\\0\"", "needs a value without NUL");
        add.accept("workingDirectory = \"relative\"", "must be an absolute path");
        add.accept("workingDirectory = \"/tmp\\0x\"", "holds a NUL byte");
        add.accept("workingDirectory = \"/" + "w".repeat(5000) + "\"", "longer than Linux's paths may be");
        add.accept("workingDirectory = \"/../no/such\"", "chdir(\"/../no/such\"): ENOENT");
        for (String t : new String[] {"0s", "-5s", "abc", "5", "9999999999999999h", "99999999999999999999h", "5\\0s", "５s", "+5s"}) {
            add.accept("timeout = \"" + t + "\"", "does not parse: use a positive number with ms, s, m or h");
        }
        // Eleven billion years: far, but a Duration; valid, and the container must still be closed after the test.
        in.add(new AnnotationInput("timeout = \"99999999999999h\"", true, Map.of(), null));
        in.add(new AnnotationInput("", false, Map.of("containerized.timeout", "soon"), "timeout \"soon\" does not parse"));
        in.add(new AnnotationInput("", true, Map.of("containerized.lifecycle", "per_test"), "containerized.lifecycle=per_test is not one of"));
        in.add(new AnnotationInput("", false, Map.of("containerized.whenUnsupported", "ignore"), "containerized.whenUnsupported=ignore is not one of"));
        return in;
    }

    /**
     * Every annotation case compiled into a test class of its own (javac at run time: annotation values
     * are constants), then run through the JUnit engine: the failure names the element and the problem.
     */
    @TestFactory
    Stream<DynamicTest> everyAnnotationAttributeRefusesBadValuesByName() throws Exception {
        List<AnnotationInput> inputs = annotationInputs();
        Path sources = Files.createDirectories(dir.resolve("generated/src/gen"));
        Path classes = Files.createDirectories(dir.resolve("generated/classes"));
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            AnnotationInput input = inputs.get(i);
            String annotation = "@dev.containerized.junit.Containerized(" + input.attributes() + ")";
            files.add(Files.writeString(sources.resolve("Case" + i + ".java"), "package gen;\n"
                    + (input.onMethod() ? "" : annotation + "\n") + "public class Case" + i + " {\n"
                    + "    @org.junit.jupiter.api.Test " + (input.onMethod() ? annotation : "") + "\n"
                    + "    void test(dev.containerized.container.Container c) { c.exec(\"true\"); }\n}\n"));
        }
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        java.io.StringWriter diagnostics = new java.io.StringWriter();
        try (javax.tools.StandardJavaFileManager fm = javac.getStandardFileManager(null, null, java.nio.charset.StandardCharsets.UTF_8)) {
            boolean compiled = javac.getTask(diagnostics, fm, null,
                    List.of("-d", classes.toString(), "-classpath", System.getProperty("java.class.path"), "-encoding", "UTF-8"),
                    null, fm.getJavaFileObjectsFromPaths(files)).call();
            assertThat(compiled).as(diagnostics.toString()).isTrue();
        }
        java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
        return java.util.stream.IntStream.range(0, inputs.size()).mapToObj(i -> DynamicTest.dynamicTest(inputs.get(i).toString(), () -> {
            Tally.badInputs(inputs.get(i).mustSay() == null ? 0 : 1);
            Class<?> fixture = loader.loadClass("gen.Case" + i);
            org.junit.platform.testkit.engine.EngineExecutionResults results = org.junit.platform.testkit.engine.EngineTestKit
                    .engine("junit-jupiter").selectors(org.junit.platform.engine.discovery.DiscoverySelectors.selectClass(fixture))
                    .configurationParameters(inputs.get(i).configuration()).execute();
            List<String> failures = results.allEvents().failed().stream()
                    .map(e -> e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                            .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable).map(Throwable::toString).orElse("?"))
                    .toList();
            if (inputs.get(i).mustSay() == null) {
                assertThat(failures).as(inputs.get(i).toString()).isEmpty();
                assertThat(results.testEvents().succeeded().count()).isOne();
            } else {
                assertThat(failures).as(inputs.get(i).toString()).isNotEmpty()
                        .allSatisfy(f -> assertThat(f).contains(inputs.get(i).mustSay()));
                assertThat(results.testEvents().succeeded().count()).isZero();
            }
            assertThat(Leaks.find()).as("left by " + inputs.get(i)).isEmpty();
        }));
    }

    /** An exception's type and message, or an exec result's exit status and stderr. */
    static String outcome(Callable<ExecResult> use) {
        try {
            ExecResult r = use.call();
            return r.succeeded() ? "exit 0" : "exit " + r.exitCode() + ": " + r.stderr();
        } catch (Exception e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    @Test
    void commandsWithNulBytesOrMoreThanExecveTakesAreRefusedAndTheContainerGoesOn() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            Tally.containers(1);
            assertThatThrownBy(() -> c.exec("echo", "a\0b")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must not be null or hold NUL");
            assertThatThrownBy(() -> c.exec("ec\0ho")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
            assertThatThrownBy(() -> c.exec()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exec needs a command");
            assertThatThrownBy(() -> c.exec("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exec needs a command");
            assertThatThrownBy(() -> c.exec((String) null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exec needs a command");
            assertThatThrownBy(() -> c.exec("echo", null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
            assertThatThrownBy(() -> c.exec((Duration) null, "true")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
            assertThatThrownBy(() -> c.exec(Duration.ofSeconds(-1), "true")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("timeout");

            // 100,000 short arguments fit in execve's limit; 100,000 long ones, one of 200 KB (above 128 KiB),
            // or 70 MB in all (more than PID 1's requests carry) do not: the result says E2BIG, as a shell would.
            String[] many = argv("echo", 100_000, "x");
            ExecResult fits = c.exec(many);
            assertThat(fits.succeeded()).as(fits.describe()).isTrue();
            assertThat(fits.stdout()).hasSize(200_000);
            for (String[] tooMuch : List.of(argv("echo", 100_000, "an-argument-of-thirty-bytes-xx"), new String[] {"echo", "y".repeat(200_000)},
                    new String[] {"echo", "z".repeat(70_000_000)})) {
                ExecResult r = c.exec(tooMuch);
                assertThat(r.exitCode()).isEqualTo(126);
                assertThat(r.stderr()).isEqualTo("containerized: exec: \"echo\": E2BIG (Argument list too long)\n");
            }
            assertThat(c.exec("echo", "still", "here").stdout()).isEqualTo("still here\n");
            ExecResult pid1 = Container.run(ContainerSpec.builder().build(), "echo", "z".repeat(70_000_000));
            assertThat(pid1.exitCode()).isEqualTo(126);
            assertThat(pid1.stderr()).isEqualTo("containerized: exec: \"echo\": E2BIG (Argument list too long)\n");
            Tally.containers(1);
            Tally.badInputs(14);
        }
    }

    static String[] argv(String program, int count, String argument) {
        String[] argv = new String[count + 1];
        argv[0] = program;
        Arrays.fill(argv, 1, argv.length, argument);
        return argv;
    }

    /** A sweep that could take another run's just-made cgroup is refused, with the way to do what was meant. */
    @Test
    void aSweepYoungerThanAMinuteIsRefused() {
        for (Duration age : List.of(Duration.ZERO, Duration.ofSeconds(59), Duration.ofMinutes(-1))) {
            assertThatThrownBy(() -> dev.containerized.container.host.HostContainer.removeWhatDeadRunsLeft(
                    dev.containerized.container.cgroup.CgroupLayout.detect(), age))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("less than a minute")
                    .hasMessageContaining("set their modification time");
        }
        Tally.badInputs(3);
    }

    @Test
    void aClosedContainerSaysSoAndClosingTwiceIsFine() {
        Container c = Container.start(ContainerSpec.builder().build());
        Tally.containers(1);
        c.close();
        c.close();
        assertThat(c.isRunning()).isFalse();
        assertThatThrownBy(() -> c.exec("true")).isInstanceOf(ContainerException.class).hasMessage("container " + c.id() + " is closed");
        assertThatThrownBy(() -> c.execInBackground("true")).isInstanceOf(ContainerException.class).hasMessageContaining("is closed");
        assertThat(c.stats().pidsCurrent()).isZero();
        assertThat(c.hostPids()).as("no process is the closed container's").isEmpty();
        c.closeBecause("again");
        Tally.badInputs(6);
    }

    /** A close from another thread ends a running exec with a message that says so, at once. */
    @Test
    void closingFromAnotherThreadWhileExecsRunEndsThemWithTheReason() throws Exception {
        for (int round = 0; round < 10; round++) {
            Container c = Container.start(ContainerSpec.builder().build());
            Tally.containers(1);
            CompletableFuture<ExecResult> running = CompletableFuture.supplyAsync(() -> c.exec("sleep", "600"));
            BackgroundProcess background = c.execInBackground("sleep", "600");
            background.pid();
            c.closeBecause("the test closed it");
            // Either it was sent and the container ended under it, or the close came first: both give the reason.
            assertThatThrownBy(() -> running.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ContainerException.class)
                    .hasMessageContaining("container " + c.id()).hasMessageContaining("the test closed it");
            assertThatThrownBy(() -> background.await(Duration.ofSeconds(10))).isInstanceOf(ContainerException.class)
                    .hasMessageContaining("ended because the test closed it while [sleep, 600] ran");
            Tally.badInputs(1);
        }
    }

    /**
     * 20 threads exec at once; then 20 threads exec in a loop while another closes the container: every
     * exec either gives its own right result or says the container was closed, none hangs, and no
     * descriptor, thread or process is left.
     */
    @Test
    void twentyThreadsExecAtOnceAndWhileTheContainerCloses() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(20);
        try {
            try (Container c = Container.start(ContainerSpec.builder().build())) {
                Tally.containers(1);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<ExecResult>> results = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    String n = Integer.toString(i);
                    results.add(threads.submit(() -> {
                        go.await();
                        return c.exec("sh", "-c", "echo $1; echo $1 >&2; exit $1", "sh", n);
                    }));
                }
                go.countDown();
                for (int i = 0; i < 20; i++) {
                    ExecResult r = results.get(i).get(60, TimeUnit.SECONDS);
                    assertThat(r.exitCode()).isEqualTo(i);
                    assertThat(r.stdout()).isEqualTo(i + "\n");
                    assertThat(r.stderr()).isEqualTo(i + "\n");
                }
            }
            Tally.badInputs(1);
            long descriptors = Memory.descriptors();
            for (int round = 0; round < 10; round++) {
                Container c = Container.start(ContainerSpec.builder().build());
                Tally.containers(1);
                CountDownLatch started = new CountDownLatch(20);
                List<Future<Integer>> loops = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    String n = Integer.toString(i);
                    loops.add(threads.submit(() -> {
                        started.countDown();
                        int ran = 0;
                        while (true) {
                            try {
                                ExecResult r = c.exec("echo", n);
                                assertThat(r.stdout()).isEqualTo(n + "\n");
                                ran++;
                            } catch (ContainerException e) {
                                assertThat(e.getMessage()).containsAnyOf("is closed", "ended because it was closed", "no longer takes commands");
                                return ran;
                            }
                        }
                    }));
                }
                started.await();
                Thread.sleep(20 + round * 5);
                c.close();
                for (Future<Integer> loop : loops) {
                    loop.get(30, TimeUnit.SECONDS);
                }
                Tally.badInputs(1);
            }
            assertThat(Leaks.find()).isEmpty();
            long after = Memory.descriptors();
            for (int i = 0; i < 50 && after > descriptors; i++) {
                Thread.sleep(20);
                after = Memory.descriptors();
            }
            assertThat(after).as("this JVM's descriptors after 10 containers closed under 20 busy threads").isEqualTo(descriptors);
        } finally {
            threads.shutdownNow();
        }
    }
}
