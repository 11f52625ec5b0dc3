package dev.containerized.security;

import dev.containerized.container.Leaks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code run} command line attacked through its terminal and its stdio, as a user runs it: a
 * separate JVM, on a terminal that script(1) makes, or with its stdio redirected to host files. The
 * command gets a pty of the container's own devpts on a terminal, pipes otherwise; never the host's
 * terminal or a host file.
 */
class TerminalAttackTests {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path shared;
    static Path rootfs;

    @TempDir
    Path dir;

    @BeforeAll
    static void buildTheAttackRootfs() throws Exception {
        rootfs = AttackRootfs.build(shared);
        // Small scripts for the terminal's tests, so that no quoting crosses two shells.
        script("size-watch", "stty size; echo ready; while [ \"$(stty size)\" = \"$1\" ]; do sleep 0.1; done; stty size");
        script("interruptible", "trap 'echo the shell got SIGINT' INT; echo ready; sleep 100; echo \"after=$?\"");
    }

    private static void script(String name, String body) throws Exception {
        Path file = Files.writeString(rootfs.resolve("bin").resolve(name), "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    /**
     * TIOCSTI pushes a line into the input of the terminal on the caller's stdin. Before, that was the
     * host's terminal and the shell that started the CLI ran the line once the container ended. Now the
     * command's terminal is the container's own pty: the line lands there (where the kernel still allows
     * TIOCSTI, dev.tty.legacy_tiocsti=1) or nowhere (=0), and the outer shell, which runs what it reads,
     * runs only what the user types after.
     */
    @Test
    void tiocstiReachesOnlyTheContainersOwnTerminalNeverTheShellThatStartedTheCli() throws Exception {
        Path injected = dir.resolve("injected");
        Path typed = dir.resolve("typed");
        String command = ScriptSession.cli("--rootfs", rootfs.toString(), "--", "attack", "tiocsti", "touch " + injected)
                + "; echo cli-done; exec sh";
        try (ScriptSession session = new ScriptSession(command)) {
            session.awaitOutput("cli-done", TIMEOUT);
            session.type("touch " + typed + "; exit 0\n");
            assertThat(session.awaitExit(TIMEOUT)).as(session.output()).isZero();
            assertThat(typed).as("the outer shell runs what reaches its terminal").exists();
            assertThat(injected).as("the line the container pushed").doesNotExist();
            assertThat(session.output()).containsPattern(legacyTiocstiAllowed() ? "ALLOWED TIOCSTI 0" : "refused TIOCSTI (EIO|EPERM)");
        }
        // Where the line went: the container's own terminal, which the attacker reads back here.
        String readBack = ScriptSession.cli("--rootfs", rootfs.toString(), "--", "attack", "tiocsti-read-back", "touch " + injected);
        try (ScriptSession session = new ScriptSession(readBack)) {
            // The attack's own status: 10 when its call went through.
            assertThat(session.awaitExit(TIMEOUT)).as(session.output()).isEqualTo(legacyTiocstiAllowed() ? 10 : 0);
            if (legacyTiocstiAllowed()) {
                assertThat(session.output()).contains("the container's own terminal read back: [touch " + injected + "]");
            }
        }
        assertThat(injected).doesNotExist();
    }

    /** On a terminal, with stdout piped to a reader that goes away: the command cannot get SIGPIPE on its pty, so it is ended. */
    @Test
    void onATerminalACommandWhoseStdoutReaderWentAwayEnds() throws Exception {
        String command = ScriptSession.cli("--rootfs", rootfs.toString(), "--", "yes") + " | head -1; echo pipeline-done";
        try (ScriptSession session = new ScriptSession(command)) {
            session.awaitOutput("pipeline-done", TIMEOUT);
            session.awaitExit(TIMEOUT);
        }
    }

    private static boolean legacyTiocstiAllowed() throws Exception {
        Path setting = Path.of("/proc/sys/dev/tty/legacy_tiocsti");
        return !Files.exists(setting) || Files.readString(setting).strip().equals("1");
    }

    /**
     * With stdio redirected to host files, the command gets pipes: /proc/self/fd/N leads to a pipe, so
     * the files can be neither reopened, read for what was there before, nor chmod'ed.
     */
    @Test
    void procSelfFdOfACommandWithStdioRedirectedToHostFilesLeadsToPipes() throws Exception {
        Path in = Files.writeString(dir.resolve("in"), "the input\n");
        Path out = Files.writeString(dir.resolve("out"), "SECRET-BEFORE\n");
        Path err = Files.writeString(dir.resolve("err"), "SECRET-ERR\n");
        for (Path file : List.of(in, out, err)) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        List<String> command = javaCommand("--rootfs", rootfs.toString(), "--", "sh", "-c",
                "stat -L -c %F /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2; readlink /proc/self/fd/1 | cut -d: -f1;"
                        + " chmod 777 /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2; attack open /proc/self/fd/1 w;"
                        + " cat /proc/self/fd/0");
        Process cli = new ProcessBuilder(command).redirectInput(in.toFile()).redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(err.toFile())).start();
        assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cli.exitValue()).as(Files.readString(err)).isZero();
        assertThat(Files.readString(out)).isEqualTo("SECRET-BEFORE\nfifo\nfifo\nfifo\npipe\nALLOWED open w /proc/self/fd/1 3\nthe input\n");
        // What was there stays; the command line's summary of the cgroup's figures follows it.
        assertThat(Files.readString(err)).startsWith("SECRET-ERR\ncontainerized: pids peak ");
        for (Path file : List.of(in, out, err)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(file.toString()).isEqualTo("rw-------");
        }
    }

    /** The window size of the user's terminal is the pty's at the start, and follows a resize (SIGWINCH). */
    @Test
    void theWindowSizePassesThroughAndFollowsAResize() throws Exception {
        Path ttyName = dir.resolve("tty");
        String command = "stty rows 33 cols 77; tty > " + ttyName + "; exec "
                + ScriptSession.cli("--rootfs", rootfs.toString(), "--", "size-watch", "33 77");
        try (ScriptSession session = new ScriptSession(command)) {
            session.awaitOutput("ready", TIMEOUT);
            String tty = Files.readString(ttyName).strip();
            Process resize = new ProcessBuilder("stty", "-F", tty, "rows", "44", "cols", "88").inheritIO().start();
            assertThat(resize.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(session.awaitExit(TIMEOUT)).as(session.output()).isZero();
            assertThat(session.output().replace("\r", "")).contains("33 77\nready\n44 88\n");
        }
    }

    /**
     * Ctrl-C on the user's terminal is the byte 0x03, passed on raw; the container's pty turns it into
     * SIGINT for the command's foreground process group: the sleep dies of it, and the shell's trap runs
     * (without one, busybox's shell would end with the sleep, as under docker run -it).
     */
    @Test
    void ctrlCReachesTheCommandsPtyAndInterruptsItsSleep() throws Exception {
        String command = "exec " + ScriptSession.cli("--rootfs", rootfs.toString(), "--", "interruptible");
        try (ScriptSession session = new ScriptSession(command)) {
            session.awaitOutput("ready", TIMEOUT);
            // Until the shell's sleep has started, a Ctrl-C reaches only the shell, which goes on: type it until it lands.
            for (int i = 0; i < 100 && !session.output().contains("after=") && session.isRunning(); i++) {
                session.type("\u0003");
                Thread.sleep(200);
            }
            session.awaitOutput("after=130", TIMEOUT);
            assertThat(session.awaitExit(TIMEOUT)).as(session.output()).isZero();
            assertThat(session.output()).contains("the shell got SIGINT");
        }
    }

    private static List<String> javaCommand(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.containerized.cli.Main", "run"));
        command.addAll(List.of(args));
        return command;
    }

}
