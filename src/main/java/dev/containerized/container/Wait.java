package dev.containerized.container;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What {@link Container#waitFor(Wait)} waits for before a test talks to a server in the container, as
 * Testcontainers users know it: a port that accepts connections, a line in a background command's
 * output, a command that succeeds. Immutable; {@link #within(Duration)} gives a copy with another
 * timeout (60 s unless set).
 *
 * <pre>{@code
 * BackgroundProcess server = container.execInBackground("httpd", "-f", "-p", "8080");
 * container.waitFor(Wait.forPort(8080).within(Duration.ofSeconds(10)));
 * }</pre>
 */
public final class Wait {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    enum Kind {
        PORT,
        LOG_LINE,
        COMMAND
    }

    private final Kind kind;
    private final int port;
    private final Pattern pattern;
    private final List<String> command;
    private final Duration timeout;

    private Wait(Kind kind, int port, Pattern pattern, List<String> command, Duration timeout) {
        this.kind = kind;
        this.port = port;
        this.pattern = pattern;
        this.command = command;
        this.timeout = timeout;
    }

    /**
     * Until something in the container listens on TCP {@code port} (on 127.0.0.1 or on every address),
     * so that a connection to it is accepted. It looks at the container's /proc/net without connecting:
     * a server that takes one connection only, such as {@code nc -l}, keeps it for the test.
     */
    public static Wait forPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("Wait.forPort(" + port + "): not a TCP port, use 1 to 65535");
        }
        return new Wait(Kind.PORT, port, null, List.of(), DEFAULT_TIMEOUT);
    }

    /**
     * Until a background command of the container writes a line, on stdout or stderr, in which
     * {@code regex} is found ({@link java.util.regex.Matcher#find()}), such as {@code "listening on"}.
     * Lines written before the wait count too. Fails early once every background command's output ended.
     */
    public static Wait forLogLine(String regex) {
        return forLogLine(Pattern.compile(Objects.requireNonNull(regex, "regex")));
    }

    /** As {@link #forLogLine(String)}, with a compiled pattern. */
    public static Wait forLogLine(Pattern pattern) {
        return new Wait(Kind.LOG_LINE, 0, Objects.requireNonNull(pattern, "pattern"), List.of(), DEFAULT_TIMEOUT);
    }

    /** Until {@code argv}, run in the container again and again, exits with status 0: a health check. */
    public static Wait forCommand(String... argv) {
        Container.checkArgv(argv);
        return new Wait(Kind.COMMAND, 0, null, List.of(argv), DEFAULT_TIMEOUT);
    }

    /** The same wait, giving up after {@code timeout}. */
    public Wait within(Duration timeout) {
        ContainerSpec.checkTimeout("wait timeout", timeout);
        return new Wait(kind, port, pattern, command, timeout);
    }

    public Duration timeout() {
        return timeout;
    }

    Kind kind() {
        return kind;
    }

    int port() {
        return port;
    }

    Pattern pattern() {
        return pattern;
    }

    List<String> command() {
        return command;
    }

    /** What it waits for, as a failure message says it: "port 8080 to accept connections". */
    @Override
    public String toString() {
        return switch (kind) {
            case PORT -> "port " + port + " to accept connections (127.0.0.1:" + port + " inside the container)";
            case LOG_LINE -> "a line of a background command matching \"" + pattern + "\"";
            case COMMAND -> "command " + command + " to succeed";
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Wait w && kind == w.kind && port == w.port && command.equals(w.command) && timeout.equals(w.timeout)
                && Objects.equals(pattern == null ? null : pattern.pattern(), w.pattern == null ? null : w.pattern.pattern());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new Object[] {kind, port, pattern == null ? null : pattern.pattern(), command, timeout});
    }
}
