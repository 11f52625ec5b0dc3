package dev.containerized.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;

/**
 * A shell command on a terminal of its own, as a user's would be: script(1) gives it a pseudo-terminal,
 * what is sent here is typed into it, and what it prints is collected.
 */
final class ScriptSession implements AutoCloseable {
    private final Process script;
    private final StringBuffer output = new StringBuffer();
    private final Thread reader;

    ScriptSession(String shellCommand) throws IOException {
        script = new ProcessBuilder("script", "-qefc", shellCommand, "/dev/null").redirectErrorStream(true).start();
        reader = new Thread(() -> {
            byte[] buffer = new byte[4096];
            try (InputStream in = script.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException ended) {
                // The session is over.
            }
        }, "script-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** The run command line of this test JVM's classpath, quoted for sh. */
    static String cli(String... args) {
        List<String> words = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.containerized.cli.Main", "run"));
        words.addAll(List.of(args));
        return String.join(" ", words.stream().map(ScriptSession::quote).toList());
    }

    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    void type(String text) throws IOException {
        script.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        script.getOutputStream().flush();
    }

    boolean isRunning() {
        return script.isAlive();
    }

    /** Waits until the output holds {@code text}; fails with the output so far when it does not within {@code timeout}. */
    void awaitOutput(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!output.toString().contains(text)) {
            if (System.nanoTime() > deadline || !script.isAlive() && !reader.isAlive()) {
                fail("the terminal did not show \"" + text + "\" within " + timeout.toSeconds() + " s; it showed:\n" + output);
            }
            Thread.sleep(20);
        }
    }

    /** The session's exit status once it ended. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!script.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("the terminal session did not end within " + timeout.toSeconds() + " s; it showed:\n" + output);
        }
        reader.join(timeout.toMillis());
        return script.exitValue();
    }

    String output() {
        return output.toString();
    }

    @Override
    public void close() throws InterruptedException {
        if (script.isAlive()) {
            script.descendants().forEach(ProcessHandle::destroyForcibly);
            script.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
