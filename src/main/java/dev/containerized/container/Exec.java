package dev.containerized.container;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One command with its own options, for {@link Container#exec(Exec)}: environment on top of the
 * container's, working directory, user, stdin and timeout. Immutable; each method returns a copy.
 *
 * <pre>{@code
 * ExecResult id = container.exec(Exec.of("id", "-u").user("nobody").env("LANG", "C").timeout(Duration.ofSeconds(5)));
 * ExecResult wc = container.exec(Exec.of("wc", "-c").stdin("hello"));
 * }</pre>
 */
public final class Exec {
    private final List<String> argv;
    private final Map<String, String> env;
    private final Optional<String> workingDirectory;
    private final Optional<String> user;
    private final Optional<Supplier<java.io.InputStream>> stdin;
    private final Optional<Duration> timeout;
    private final Charset outputCharset;

    private Exec(List<String> argv, Map<String, String> env, Optional<String> workingDirectory, Optional<String> user,
                 Optional<Supplier<java.io.InputStream>> stdin, Optional<Duration> timeout, Charset outputCharset) {
        this.argv = argv;
        this.env = env;
        this.workingDirectory = workingDirectory;
        this.user = user;
        this.stdin = stdin;
        this.timeout = timeout;
        this.outputCharset = outputCharset;
    }

    /** The program and its arguments; the program is looked up in the command's PATH, as a shell would. */
    public static Exec of(String... argv) {
        Container.checkArgv(argv);
        return new Exec(List.of(argv), Map.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                StandardCharsets.UTF_8);
    }

    /** An environment variable for this command, over the container's. */
    public Exec env(String name, String value) {
        ContainerSpec.checkEnv(name, value);
        Map<String, String> more = new LinkedHashMap<>(env);
        more.put(name, value);
        return new Exec(argv, Map.copyOf(more), workingDirectory, user, stdin, timeout, outputCharset);
    }

    /** Where the command starts, an absolute path inside the container. */
    public Exec workingDirectory(String directory) {
        ContainerSpec.checkWorkingDirectory(directory);
        return new Exec(argv, env, Optional.of(directory), user, stdin, timeout, outputCharset);
    }

    /**
     * Who runs it, as {@code docker exec --user} takes it: a name or uid, optionally {@code :group} or
     * {@code :gid}, names looked up in the container's /etc/passwd and /etc/group. A user other than
     * root has no capabilities.
     */
    public Exec user(String user) {
        ContainerSpec.checkUser(user);
        return new Exec(argv, env, workingDirectory, Optional.of(user), stdin, timeout, outputCharset);
    }

    /** Bytes for its stdin, which then reaches end of file (without this, stdin is at end of file at once). */
    public Exec stdin(byte[] bytes) {
        byte[] copy = Objects.requireNonNull(bytes, "stdin bytes").clone();
        return new Exec(argv, env, workingDirectory, user, Optional.of(() -> new java.io.ByteArrayInputStream(copy)), timeout,
                outputCharset);
    }

    /** Text for its stdin, as UTF-8. */
    public Exec stdin(String text) {
        return stdin(Objects.requireNonNull(text, "stdin text").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A stream for its stdin, read on a thread of its own while the command runs and closed at its end
     * (or once the command ended, if it did not read it all). The supplier is called once per run of this
     * Exec. A stream (or supplier) that throws gives the command end of file there and fails the exec with
     * a {@link ContainerException} that carries the exception, once the command ended: no test passes on
     * input cut short. A command that stops reading (as {@code head} does), or ends before the stream
     * fails, is not a failure: it did not need the rest.
     */
    public Exec stdin(Supplier<java.io.InputStream> stream) {
        return new Exec(argv, env, workingDirectory, user, Optional.of(Objects.requireNonNull(stream, "stdin stream")), timeout,
                outputCharset);
    }

    /** Killed after this long, and its result says it timed out; the container's exec timeout otherwise. */
    public Exec timeout(Duration timeout) {
        ContainerSpec.checkTimeout("exec timeout", timeout);
        return new Exec(argv, env, workingDirectory, user, stdin, Optional.of(timeout), outputCharset);
    }

    /**
     * How the command's stdout and stderr are decoded, in its result and in the lines that
     * {@code onLine} and {@code awaitLine} see: UTF-8 unless set (bytes that are not UTF-8 then become
     * U+FFFD). {@code StandardCharsets.ISO_8859_1} keeps every byte as the char of its value, for binary
     * output: {@code result.stdout().getBytes(ISO_8859_1)} gives back the bytes. As Testcontainers'
     * {@code execInContainer(Charset, …)}.
     */
    public Exec outputCharset(Charset charset) {
        return new Exec(argv, env, workingDirectory, user, stdin, timeout, Objects.requireNonNull(charset, "output charset"));
    }

    public List<String> argv() {
        return argv;
    }

    public Map<String, String> env() {
        return env;
    }

    public Optional<String> workingDirectory() {
        return workingDirectory;
    }

    public Optional<String> user() {
        return user;
    }

    public Optional<Supplier<java.io.InputStream>> stdin() {
        return stdin;
    }

    public Optional<Duration> timeout() {
        return timeout;
    }

    public Charset outputCharset() {
        return outputCharset;
    }

    @Override
    public String toString() {
        return "Exec" + Arrays.toString(argv.toArray()) + (env.isEmpty() ? "" : " env=" + env)
                + workingDirectory.map(d -> " in " + d).orElse("") + user.map(u -> " as " + u).orElse("");
    }
}
