package dev.containerized.container;

import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.cgroup.ContainerCgroup;
import dev.containerized.container.host.HostContainer;
import dev.containerized.container.host.StateDirectory;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A test JVM killed with SIGKILL: its containers die with it, and what it left (a state directory
 * nobody holds locked, empty cgroups) is removed without killing anything.
 */
class CrashRecoveryTests {
    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    /** The JVM that crashes: starts a container with a command in it, says so, and waits to be killed. */
    public static final class CrashingJvm {
        public static void main(String[] args) throws Exception {
            Container c = Container.start(ContainerSpec.builder().pidsLimit(20).build());
            c.execInBackground("sleep", "600").pid();
            System.out.println("READY " + c.id() + " " + c.initPid());
            System.out.flush();
            Thread.sleep(600_000);
        }
    }

    @Test
    void theContainerDiesWithItsJvmAndItsLeftoversAreSweptAtTheNextStart() throws Exception {
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashingJvm.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String[] ready = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))
                .readLine().split(" ");
        String id = ready[1];
        long initPid = Long.parseLong(ready[2]);
        ProcessHandle init = ProcessHandle.of(initPid).orElseThrow();

        jvm.destroyForcibly();
        jvm.waitFor(10, TimeUnit.SECONDS);

        // PR_SET_PDEATHSIG: the init, and with it the whole pid namespace, dies with the JVM.
        assertThat(init.onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();
        CgroupLayout layout = CgroupLayout.detect();
        List<Path> cgroups = ContainerCgroup.parents(layout).stream().map(p -> p.resolve(id)).toList();
        awaitEmpty(cgroups);
        // What the dead JVM could not remove: its state directory and its cgroups.
        assertThat(StateDirectory.base().resolve(id)).isDirectory();
        assertThat(cgroups).allSatisfy(dir -> assertThat(dir).isDirectory());

        // A minute later, as far as the sweep can tell (it removes only empty cgroups older than that): a
        // sweep with a zero age could take the empty, just-made cgroup of another run's starting container.
        for (Path dir : cgroups) {
            Files.setLastModifiedTime(dir, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(120)));
        }
        HostContainer.removeWhatDeadRunsLeft(layout, java.time.Duration.ofMinutes(1));

        assertThat(StateDirectory.base().resolve(id)).doesNotExist();
        assertThat(cgroups).allSatisfy(dir -> assertThat(dir).doesNotExist());
    }

    /** SIGTERM (a cancelled CI job) and SIGINT (Ctrl-C without a terminal) end the JVM through its shutdown hooks. */
    @Test
    void aJvmEndedBySigtermOrSigintClosesItsContainersOnItsWayOut() throws Exception {
        for (String signal : new String[] {"TERM", "INT"}) {
            Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CrashingJvm.class.getName())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String id = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))
                    .readLine().split(" ")[1];

            assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(jvm.pid())).start().waitFor()).isZero();
            assertThat(jvm.waitFor(20, TimeUnit.SECONDS)).as("the JVM ended").isTrue();

            // Gone at once, with no sweep of another run: the JVM removed them itself.
            assertThat(StateDirectory.base().resolve(id)).as(signal).doesNotExist();
            assertThat(ContainerCgroup.parents(CgroupLayout.detect())).allSatisfy(parent -> assertThat(parent.resolve(id)).doesNotExist());
        }
    }

    @Test
    void whatADeadRunLeftIsRemovedHoweverDeepItsTreeAndNoContainerStartIsKeptFromIt() throws Exception {
        // A dead run's state directory (nobody holds its lock), holding a tree nested past PATH_MAX.
        Path dead = Files.createDirectories(StateDirectory.base().resolve("0000dead00-1"));
        Files.createFile(dead.resolve("lock"));
        Path deep = dead.resolve("upper");
        Files.createDirectories(deep);
        String level = "a".repeat(200);
        Fd dir = Fcntl.open(deep.toString(), Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
        for (int i = 0; i < 40; i++) { // 40 x 201 bytes: twice PATH_MAX
            Fcntl.mkdirat(dir, level, 0755, level);
            Fd next = Fcntl.openat(dir, level, Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
            dir.close();
            dir = next;
        }
        Fcntl.createFileAt(dir, "file", "file");
        dir.close();
        HostContainer.removeWhatDeadRunsLeft(CgroupLayout.detect(), java.time.Duration.ofMinutes(1));
        assertThat(dead).doesNotExist();
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            assertThat(c.exec("true").succeeded()).isTrue();
        }
    }

    private static void awaitEmpty(List<Path> cgroups) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Path dir : cgroups) {
            while (!Files.readString(dir.resolve("cgroup.procs")).isBlank()) {
                assertThat(System.nanoTime()).as("the processes of " + dir + " end").isLessThan(deadline);
                Thread.sleep(10);
            }
        }
    }
}
