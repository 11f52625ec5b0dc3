package dev.containerized.junit.internal;

import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.cgroup.ContainerCgroup;
import dev.containerized.container.host.ContainerIds;
import dev.containerized.container.host.StateDirectory;

import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.core.LauncherFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher-session listener's throwaway container, seen from a fresh JVM that opens a JUnit session
 * as Surefire would: it is started and closed once, and it is gone when the JVM ends, even when the
 * session closes while it runs.
 */
class EarlyPreparationTests {
    private static final Pattern START = Pattern.compile("containerized: start of (\\S+) \\(ms\\)");

    /**
     * The fresh JVM: opens a launcher session and closes it. "while-it-runs" closes it as soon as a state
     * directory of this JVM exists, "after-a-while" after 1.5 s, and both then end; "at-once" closes it
     * at once and lives on for 1.5 s.
     */
    public static final class OneSession {
        public static void main(String[] args) throws Exception {
            try (LauncherSession session = LauncherFactory.openSession()) {
                if (args[0].equals("while-it-runs")) {
                    awaitOwnStateDirectory();
                } else if (args[0].equals("after-a-while")) {
                    Thread.sleep(1500);
                }
            }
            if (args[0].equals("at-once")) {
                Thread.sleep(1500); // the JVM lives on, with no session open
            }
        }

        private static void awaitOwnStateDirectory() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                try (Stream<Path> entries = Files.list(StateDirectory.base())) {
                    if (entries.anyMatch(p -> p.getFileName().toString().startsWith(ContainerIds.thisJvm()))) {
                        return;
                    }
                } catch (NoSuchFileException notYet) {
                    // The first container of the host makes the base directory.
                }
                Thread.sleep(1);
            }
            throw new IllegalStateException("no container of this JVM appeared in 30 s");
        }
    }

    @Test
    void aSessionWarmsUpWithOneContainerThatIsGoneWhenTheJvmEnds() throws Exception {
        String stderr = runOneSession("while-it-runs", "-Dcontainerized.trace=true");

        Matcher starts = START.matcher(stderr);
        List<String> ids = new ArrayList<>();
        while (starts.find()) {
            ids.add(starts.group(1));
        }
        assertThat(ids.stream().distinct()).as("containers started, in\n" + stderr).hasSize(1);
        assertThat(stderr).as("its teardown").contains("containerized: teardown (ms)");
        String id = ids.get(0);
        assertThat(StateDirectory.base().resolve(id)).doesNotExist();
        for (Path parent : ContainerCgroup.parents(CgroupLayout.detect())) {
            assertThat(parent.resolve(id)).doesNotExist();
        }
    }

    @Test
    void noContainerStartsOnceTheSessionsAreClosed() throws Exception {
        assertThat(runOneSession("at-once", "-Dcontainerized.trace=true")).doesNotContain("containerized: start of");
    }

    @Test
    void thePropertyTurnsItOff() throws Exception {
        assertThat(runOneSession("after-a-while", "-Dcontainerized.trace=true", "-D" + EarlyPreparation.PROPERTY + "=false"))
                .doesNotContain("containerized: start of");
    }

    private static String runOneSession(String mode, String... properties) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(properties));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), OneSession.class.getName(), mode));
        Process jvm = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String stderr = new String(jvm.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(jvm.exitValue()).as(stderr).isZero();
        return stderr;
    }
}
