package dev.containerized.security;

import dev.containerized.container.BackgroundProcess;
import dev.containerized.container.Container;
import dev.containerized.container.ContainerException;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.Exec;
import dev.containerized.container.ExecResult;
import dev.containerized.container.Leaks;
import dev.containerized.container.Mount;
import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.host.HostContainer;
import dev.containerized.container.host.StateDirectory;
import dev.containerized.container.host.WritableLayer;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.reliability.Debris;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Escape attempts from inside a container, as its root, each asserting that it was refused; grouped by
 * theme. Each one is harmless to the host even if it got through: the calls carry arguments the kernel
 * rejects past its permission checks, values written are the ones already there, files and links point
 * into this test's own directories, and the one host process signalled is a dummy the test started.
 * Where Docker allows a thing (chroot, mknod, ptrace of a sibling, AF_PACKET, personality(PER_LINUX32)),
 * it is allowed here too, and the test shows how far it reaches.
 * <p>
 * The attempts are made by {@code /bin/attack} (src/test/c/attack.c), compiled static by the test into a
 * copy of the built-in rootfs. A line "refused NAME ERRNO" means the call failed; "ALLOWED NAME N" that
 * it went through. The terminal attacks run the {@code run} command line under script(1) in
 * {@link TerminalAttackTests}; the output flood in {@link OutputFloodTests}.
 */
class EscapeTests {
    @TempDir
    static Path shared;
    static Path rootfs;

    /** fcntl.h: the seals of a memfd. */
    private static final int F_GET_SEALS = 1034;

    private final List<Container> started = new ArrayList<>();

    @BeforeAll
    static void buildTheAttackRootfs() throws Exception {
        rootfs = AttackRootfs.build(shared);
    }

    @AfterEach
    void closeAndLeaveNothingBehind() {
        started.forEach(Container::close);
        assertThat(Leaks.find()).isEmpty();
    }

    /** A container of the attack rootfs with Docker's defaults, closed after the test. */
    Container container() {
        return start(ContainerSpec.builder().rootfs(rootfs));
    }

    Container start(ContainerSpec.Builder spec) {
        Container c = Container.start(spec.build());
        started.add(c);
        return c;
    }

    /** Runs /bin/attack in {@code c}. */
    static ExecResult attack(Container c, String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "attack";
        System.arraycopy(args, 0, argv, 1, args.length);
        return c.exec(argv);
    }

    /** Every call refused: exit 0, and exactly these lines. */
    static void assertRefused(ExecResult result, String expected) {
        assertThat(result).as(result.describe()).exitedWith(0);
        assertThat(result.stdout()).as(result.describe()).isEqualTo(expected);
    }

    @Nested
    class TheSeccompProfileClosesTheKernelsRiskiestDoors {
        @Test
        void aUserNamespaceByUnshareAsUnshareDashUDashRDoes() {
            Container c = container();
            assertRefused(attack(c, "unshare", "user"), "refused user EPERM\n");
            assertThat(c.exec("unshare", "-U", "-r", "id", "-u")).exitedWith(1).stderr().contains("Operation not permitted");
        }

        @Test
        void aUserNamespaceByClone() {
            assertRefused(attack(container(), "clone", "user"), "refused user EPERM\n");
        }

        @Test
        void clone3AnswersEnosysSoThatItsFlagsCannotSlipPastTheCloneRule() {
            assertRefused(attack(container(), "clone3"), "refused clone3 ENOSYS\n");
        }

        @Test
        void everyOtherNewNamespace() {
            Container c = container();
            for (String ns : List.of("mnt", "net", "pid", "ipc", "uts", "cgroup", "time")) {
                assertRefused(attack(c, "unshare", ns), "refused " + ns + " EPERM\n");
            }
            // clone(2) cannot ask for a time namespace (its flag is a bit of the exit signal there); clone3 can, and is refused.
            for (String ns : List.of("mnt", "net", "pid", "ipc", "uts", "cgroup")) {
                assertRefused(attack(c, "clone", ns), "refused " + ns + " EPERM\n");
            }
        }

        @Test
        void theKernelKeyringWhichIsTheHostRootsOwn() {
            assertRefused(attack(container(), "keyring"), "refused keyctl EPERM\nrefused add_key EPERM\nrefused request_key EPERM\n");
        }

        @Test
        void ioUring() {
            assertRefused(attack(container(), "io_uring"), "refused io_uring_setup EPERM\n");
        }

        @Test
        void userfaultfd() {
            assertRefused(attack(container(), "userfaultfd"), "refused userfaultfd EPERM\n");
        }

        @Test
        void perfEventOpen() {
            assertRefused(attack(container(), "perf_event_open"), "refused perf_event_open EPERM\n");
        }

        @Test
        void bpf() {
            assertRefused(attack(container(), "bpf"), "refused bpf EPERM\n");
        }

        @Test
        void kernelModules() {
            assertRefused(attack(container(), "modules"), "refused init_module EPERM\nrefused finit_module EPERM\n"
                    + "refused delete_module EPERM\n");
        }

        @Test
        void kexec() {
            assertRefused(attack(container(), "kexec"), "refused kexec_load EPERM\nrefused kexec_file_load EPERM\n");
        }

        @Test
        void reboot() {
            assertRefused(attack(container(), "reboot"), "refused reboot EPERM\n");
        }

        @Test
        void theClockBySeccompAndEvenWhereTheProfileAllowsTheCallByCapabilities() {
            assertRefused(attack(container(), "clock"), "refused settimeofday EPERM\nrefused clock_settime EPERM\n"
                    + "refused adjtimex-set EPERM\nrefused clock_adjtime-set EPERM\n");
        }

        @Test
        void personalityTricksButNotTheOnesDockerAllows() {
            Container c = container();
            assertRefused(attack(c, "personality", "0x0040000"), "refused personality 0x40000 EPERM\n"); // ADDR_NO_RANDOMIZE
            assertRefused(attack(c, "personality", "0x0400000"), "refused personality 0x400000 EPERM\n"); // READ_IMPLIES_EXEC
            assertRefused(attack(c, "personality", "0x0200000"), "refused personality 0x200000 EPERM\n"); // MMAP_PAGE_ZERO
            // PER_LINUX32 (uname -m says i686) stays allowed, as in Docker: it changes nothing but names.
            assertThat(attack(c, "personality", "0x8")).exitedWith(10).stdout().isEqualTo("ALLOWED personality 0x8 0\n");
        }

        @Test
        void openByHandleAtTheShockerAttack() {
            assertRefused(attack(container(), "open_by_handle_at"), "refused open_by_handle_at EPERM\n");
        }

        @Test
        void theHostsKernelLog() {
            assertRefused(attack(container(), "syslog"), "refused syslog EPERM\n");
        }

        @Test
        void rawPortIo() {
            assertRefused(attack(container(), "raw-io"), "refused iopl EPERM\nrefused ioperm EPERM\n");
        }

        @Test
        void administrationCallsSwapAccountingFanotifyQuotasHostname() {
            assertRefused(attack(container(), "admin"), "refused swapon EPERM\nrefused acct EPERM\nrefused fanotify_init EPERM\n"
                    + "refused quotactl EPERM\nrefused sethostname EPERM\n");
        }

        @Test
        void aSystemCallThroughAnotherArchitecturesDoorKillsTheProcess() {
            assumeTrue(System.getProperty("os.arch").equals("amd64"), "i386 and x32 calls exist on x86_64 only");
            Container c = container();
            for (String door : List.of("i386", "x32")) {
                ExecResult r = attack(c, "foreign-arch", door);
                assertThat(r).as(door).wasKilledBySignal(31); // SIGSYS
                assertThat(r.stdout()).isEmpty();
            }
        }

        @Test
        void socketFamiliesOutsideDockersListVsockAndAlg() {
            Container c = container();
            assertRefused(attack(c, "socket", "40", "1", "0"), "refused socket 40 1 0 EPERM\n"); // AF_VSOCK: the hypervisor
            assertRefused(attack(c, "socket", "38", "5", "0"), "refused socket 38 5 0 EPERM\n"); // AF_ALG: kernel crypto
        }
    }

    @Nested
    class MountsStayAsTheyWereMade {
        @Test
        void mountingAnyFilesystem() {
            Container c = container();
            assertRefused(attack(c, "mount", "tmpfs", "/tmp"), "refused mount EPERM\n");
            assertRefused(attack(c, "mount", "proc", "/mnt"), "refused mount EPERM\n");
            assertRefused(attack(c, "bind", "/bin", "/tmp"), "refused bind EPERM\n");
            assertThat(c.exec("mount", "-t", "tmpfs", "none", "/tmp")).exitedWith(1).stderr().contains("permission denied");
        }

        @Test
        void unmaskingOrRemountingDockersReadOnlyAndMaskedPaths() {
            Container c = container();
            assertRefused(attack(c, "umount", "/proc/sys"), "refused umount EPERM\n");
            assertRefused(attack(c, "umount", "/proc/keys"), "refused umount EPERM\n");
            assertRefused(attack(c, "umount", "/sys/firmware"), "refused umount EPERM\n");
            assertRefused(attack(c, "remount-rw", "/proc/sys"), "refused remount-rw EPERM\n");
        }

        @Test
        void theNewMountApi() {
            assertRefused(attack(container(), "new-mount-api"), "refused fsopen EPERM\nrefused fspick EPERM\n"
                    + "refused open_tree EPERM\nrefused mount_setattr EPERM\nrefused move_mount EPERM\n");
        }

        /**
         * A filesystem mounted below a bind's host directory comes along: it is read-only and nodev too, so
         * the container neither writes the host's files there nor opens a device node it makes there. The
         * submount is a small tmpfs of the test's own, unmounted after.
         */
        @Test
        void aBindsSubmountsTakeItsFlags() throws Exception {
            Path source = Files.createDirectories(shared.resolve("bind-source-" + System.nanoTime()));
            Path sub = Files.createDirectories(source.resolve("sub"));
            assertThat(new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "submount", sub.toString()).inheritIO()
                    .start().waitFor()).isZero();
            try {
                Container c = start(ContainerSpec.builder().rootfs(rootfs).mount(Mount.bind(source, "/data")));
                ExecResult below = c.exec("sh", "-c", "echo written > /data/sub/escaped");
                assertThat(below).as(below.describe()).exitedWith(1).stderr().contains("Read-only file system");
                assertThat(sub.resolve("escaped")).doesNotExist();
                Container rw = start(ContainerSpec.builder().rootfs(rootfs).mount(Mount.bind(source, "/data").readWrite()));
                ExecResult node = attack(rw, "mknod-open", "/data/sub/null", "c", "1", "3");
                assertThat(node.stdout()).as(node.describe()).isEqualTo("ALLOWED mknod /data/sub/null 0\nrefused open-node /data/sub/null EACCES\n");
                assertThat(rw.exec("sh", "-c", "echo written > /data/sub/file")).succeeded();
                assertThat(sub.resolve("file")).hasContent("written");
            } finally {
                started.forEach(Container::close);
                assertThat(new ProcessBuilder("umount", sub.toString()).inheritIO().start().waitFor()).isZero();
            }
        }

        @Test
        void pivotRoot() {
            assertRefused(attack(container(), "pivot_root"), "refused pivot_root EPERM\n");
        }

        @Test
        void chrootAndClimbingOutOfItLeavesTheContainersRoot() throws IOException {
            Path marker = Files.writeString(shared.resolve("host-marker-" + System.nanoTime()), "on the host");
            ExecResult r = attack(container(), "chroot-escape", marker.toString());
            // chroot itself is allowed (CAP_SYS_CHROOT, as in Docker): the root it climbs to is the container's.
            assertThat(r).as(r.describe()).exitedWith(10);
            assertThat(r.stdout()).isEqualTo("ALLOWED chroot /tmp/chroot-escape 0\nALLOWED chroot . 0\n"
                    + "root after escape: the container's\nhost marker " + marker + ": not visible\n");
        }

        @Test
        void overlaysTrustedAttributesRedirectAndMetacopy() {
            Container c = container();
            assertRefused(attack(c, "setxattr", "/etc/passwd", "trusted.overlay.redirect", "/../../.."),
                    "refused trusted.overlay.redirect EPERM\n");
            assertRefused(attack(c, "setxattr", "/etc/passwd", "trusted.overlay.metacopy", ""), "refused trusted.overlay.metacopy EPERM\n");
        }
    }

    @Nested
    class Pid1IsOutOfReach {
        /**
         * PID 1 forks each command, which confines itself and then execs; a process inside may stop such a
         * child before its execve (SIGSTOP cannot be blocked). PID 1 goes on serving: the stopped command
         * ends at its timeout, the others run.
         */
        @Test
        void aCommandStoppedBeforeItsExecveDoesNotStopPid1() {
            Container c = container();
            BackgroundProcess stopper = c.execInBackground("attack", "stop-unborn", "30");
            String stopped = null;
            for (int i = 0; i < 2000 && stopped == null; i++) {
                try {
                    c.exec(Exec.of("true").timeout(Duration.ofSeconds(1)));
                } catch (RuntimeException timedOut) {
                    // the stopped one: its timeout ends it
                }
                if (stopper.stdoutSoFar().contains("stopped")) {
                    stopped = stopper.stdoutSoFar();
                }
            }
            assertThat(stopped).as("the stopper caught a command before its execve").isNotNull();
            stopper.kill();
            ExecResult after = c.exec(Exec.of("echo", "still serving").timeout(Duration.ofSeconds(5)));
            assertThat(after.stdout()).as(after.describe()).isEqualTo("still serving\n");
        }

        @Test
        void ptraceOfPid1() {
            assertRefused(attack(container(), "ptrace", "1"), "refused ptrace EPERM\n");
        }

        @Test
        void readingPid1sMemory() {
            assertRefused(attack(container(), "process_vm_readv", "1"), "refused process_vm_readv EPERM\n");
        }

        @Test
        void stealingPid1sControlSocketByPidfdGetfd() {
            assertRefused(attack(container(), "pidfd_getfd", "1", "0"), "refused pidfd_getfd EPERM\n");
        }

        @Test
        void pid1sRootCwdEnvironmentDescriptorsMemoryAndBinaryThroughProc() {
            Container c = container();
            assertRefused(attack(c, "open", "/proc/1/root/etc", "dir"), "refused open dir /proc/1/root/etc EACCES\n");
            assertRefused(attack(c, "open", "/proc/1/cwd", "dir"), "refused open dir /proc/1/cwd EACCES\n");
            assertRefused(attack(c, "open", "/proc/1/environ", "r"), "refused open r /proc/1/environ EACCES\n");
            assertRefused(attack(c, "open", "/proc/1/fd/0", "r"), "refused open r /proc/1/fd/0 EACCES\n");
            assertRefused(attack(c, "open", "/proc/1/mem", "r"), "refused open r /proc/1/mem EACCES\n");
            assertRefused(attack(c, "open", "/proc/1/exe", "r"), "refused open r /proc/1/exe EACCES\n");
        }

        @Test
        void setnsIntoPid1sNamespacesOrItsOwn() {
            Container c = container();
            for (String ns : List.of("mnt", "net", "pid", "uts", "ipc", "cgroup", "user", "time")) {
                assertRefused(attack(c, "setns", "/proc/1/ns/" + ns), "refused /proc/1/ns/" + ns + " EACCES\n");
            }
            ExecResult own = attack(c, "setns", "/proc/self/ns/mnt");
            assertThat(own.stdout()).as(own.describe()).isEqualTo("ALLOWED /proc/self/ns/mnt 3\nrefused setns EPERM\n");
            assertThat(c.exec("nsenter", "-t", "1", "-m", "true")).exitedWith(1);
        }

        @Test
        void signalsToPid1FromInsideAreDropped() {
            Container c = container();
            long init = c.initPid();
            ExecResult r = attack(c, "signal-init");
            // kill(2) reports success, and the kernel drops each signal: PID 1 of a namespace only takes
            // the signals it has handlers for, and ours has none (SIGCHLD comes through a signalfd).
            assertThat(r.stdout()).as(r.describe()).endsWith("init state S alive yes\n");
            assertThat(ProcessHandle.of(init)).get().satisfies(p -> assertThat(p.isAlive()).isTrue());
            assertThat(c.exec("echo", "still", "here")).succeeded().stdout().isEqualTo("still here\n");
        }

        @Test
        void aHostProcessCannotEvenBeNamed() throws Exception {
            Process dummy = new ProcessBuilder("sleep", "600").start();
            try {
                Container c = container();
                String pid = Long.toString(dummy.pid());
                assertThat(c.exec("test", "-e", "/proc/" + pid)).as("the dummy's pid is no process of the container").exitedWith(1);
                assertRefused(attack(c, "kill", pid, "9"), "refused kill ESRCH\n");
                assertRefused(attack(c, "ptrace", pid), "refused ptrace ESRCH\n");
                assertThat(dummy.isAlive()).isTrue();
            } finally {
                dummy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }

        @Test
        void aSiblingOfAnotherUserCannotBeTracedOneOfTheSameUserCanAsInDocker() {
            Container c = container();
            c.execInBackground("sleep", "600");
            String sibling = c.exec("pidof", "sleep").stdout().strip();
            ExecResult asNobody = attack(c, "as", "65534", "attack", "ptrace", sibling);
            assertRefused(asNobody, "refused ptrace EPERM\n");
            // Docker's profile allows ptrace (kernels >= 4.8): a root process may trace another root
            // process of the same container, which has the same capabilities, filter and namespaces.
            ExecResult asRoot = attack(c, "ptrace", sibling);
            assertThat(asRoot.stdout()).as(asRoot.describe()).isEqualTo("ALLOWED ptrace 0\n");
            assertThat(c.exec("grep", "-E", "^(CapEff|Seccomp):", "/proc/" + sibling + "/status")).succeeded().stdout()
                    .isEqualTo("CapEff:\t00000000a80425fb\nSeccomp:\t2\n");
        }
    }

    @Nested
    class Cve2019_5736TheRuntimesBinary {
        @Test
        void aWatcherOpeningProcExeWhileCommandsStartNeverGetsAFileOutsideTheContainer() throws Exception {
            Container c = container();
            var watcher = c.execInBackground("attack", "exe-watch", "3");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            int commands = 0;
            while (System.nanoTime() < end) {
                assertThat(c.exec("true")).succeeded();
                commands++;
            }
            ExecResult watched = watcher.await(Duration.ofSeconds(30));
            assertThat(watched).as(watched.describe()).exitedWith(0);
            String line = watched.stdout().strip();
            assertThat(line).as("after %d commands started", commands).matches(
                    "exe-watch attempts \\d+ opened [1-9]\\d* inside [1-9]\\d* memfd 0 outside 0 writable 0 denied [1-9]\\d*");
            assertThat(commands).isGreaterThan(10);
        }

        @Test
        void theInitsBinaryIsASealedMemfdThatEvenTheHostsRootCannotWriteOrChmod() throws Exception {
            Container c = container();
            Path exe = Path.of("/proc", Long.toString(c.initPid()), "exe");
            assertThat(Files.readSymbolicLink(exe).toString()).startsWith("/memfd:containerized-init");
            // Running, it cannot even be opened for writing (ETXTBSY); past that, its seals refuse writes.
            assertThatThrownBy(() -> FileChannel.open(exe, StandardOpenOption.WRITE))
                    .isInstanceOf(FileSystemException.class).hasMessageContaining("Text file busy");
            try (Fd memfd = Fcntl.open(exe.toString(), Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0)) {
                int seals = Fcntl.fcntl(memfd, F_GET_SEALS, 0);
                int expected = Fcntl.F_SEAL_SEAL | Fcntl.F_SEAL_SHRINK | Fcntl.F_SEAL_GROW | Fcntl.F_SEAL_WRITE;
                assertThat(seals & expected).as("seals %#x", seals).isEqualTo(expected);
            }
            var mode = Files.getPosixFilePermissions(exe);
            try {
                assertThatThrownBy(() -> Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rw-------")))
                        .isInstanceOf(IOException.class);
            } finally {
                Files.setPosixFilePermissions(exe, mode);
            }
            assertThat(c.exec("true")).succeeded();
        }
    }

    @Nested
    class Cve2024_21626LeakedDescriptors {
        @Test
        void aCommandHasOnlyStdioAndItsCwdAndRootAreTheContainers() {
            Container c = container();
            assertRefused(attack(c, "fds"), "fds 0 1 2\n");
            assertRefused(attack(c, "where"), "where cwd=/ root=/ getcwd=/ root-is-its-own-parent=yes\n");
        }

        @Test
        void pid1ItselfHoldsNoDescriptorOfAHostFileOrDirectory() throws IOException {
            Container c = container();
            assertThat(c.exec("true")).succeeded();
            Path proc = Path.of("/proc", Long.toString(c.initPid()));
            List<String> held = new ArrayList<>();
            try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
                for (Path fd : (Iterable<Path>) fds.sorted()::iterator) {
                    held.add(fd.getFileName() + " " + Files.readSymbolicLink(fd).toString().replaceAll("\\[\\d+]", ""));
                }
            }
            // The control socket, its log pipe, the SIGCHLD signalfd; the cgroup files and /proc's mount point were closed after setup.
            assertThat(held).containsExactly("0 socket:", "1 pipe:", "2 pipe:", "3 anon_inode:[signalfd]");
            assertThat(Files.readSymbolicLink(proc.resolve("cwd"))).hasToString("/");
        }

        @Test
        void aCommandAsPid1TooAndInAWorkingDirectoryOfItsOwn() {
            ContainerSpec spec = ContainerSpec.builder().rootfs(rootfs).workingDirectory("/tmp").build();
            assertRefused(Container.run(spec, "attack", "fds"), "fds 0 1 2\n");
            assertRefused(Container.run(spec, "attack", "where"), "where cwd=/tmp root=/ getcwd=/tmp root-is-its-own-parent=yes\n");
        }

        @Test
        void aWorkingDirectoryThroughProcSelfFdIsRefusedBeforeAnythingRuns() {
            for (int fd = 3; fd <= 9; fd++) {
                String directory = "/proc/self/fd/" + fd;
                ContainerSpec spec = ContainerSpec.builder().rootfs(rootfs).workingDirectory(directory).build();
                assertThatThrownBy(() -> start(spec.toBuilder())).isInstanceOf(ContainerException.class)
                        .hasMessageContaining("enter the working directory: chdir(\"" + directory + "\")");
                assertThatThrownBy(() -> Container.run(spec, "attack", "where")).isInstanceOf(ContainerException.class)
                        .hasMessageContaining("enter the working directory");
            }
        }
    }

    @Nested
    class Cve2022_0492ReleaseAgent {
        @Test
        void noCgroupfsCanBeMountedAndTheContainersOwnHasNoRelease_agent() {
            Container c = container();
            assertRefused(attack(c, "mount", "cgroup", "/tmp", "memory"), "refused mount EPERM\n");
            assertRefused(attack(c, "mount", "cgroup", "/tmp", "none,name=escape"), "refused mount EPERM\n");
            assertRefused(attack(c, "mount", "cgroup2", "/tmp"), "refused mount EPERM\n");
            // The one cgroupfs inside is the container's own, read-only, rooted below any release_agent.
            String cgroupMounts = c.exec("sh", "-c", "grep ' - cgroup' /proc/self/mountinfo").stdout();
            assertThat(cgroupMounts.lines()).isNotEmpty().allSatisfy(line -> assertThat(line.split(" ")[5]).startsWith("ro,"));
            assertThat(c.exec("sh", "-c", "find /sys/fs/cgroup -name release_agent | head -1")).succeeded().stdout().isEmpty();
            assertThat(c.exec("sh", "-c", "for f in $(find /sys/fs/cgroup -name notify_on_release); do if echo 1 2>/dev/null > $f; then exit 9; fi; done"))
                    .as("v1's notify_on_release, where there is one, is read-only too").exitedWith(0);
            // CAP_SYS_ADMIN (bit 21) is not among the container's capabilities.
            assertThat(c.exec("grep", "^CapBnd:", "/proc/self/status")).succeeded().stdout().isEqualTo("CapBnd:\t00000000a80425fb\n");
            assertThat(0xa80425fbL & (1L << 21)).isZero();
        }
    }

    /**
     * Root filesystems whose mount points are symlinks (CVE-2019-16884, CVE-2023-27561 and kin), as images
     * may be: each container still starts with its own /proc, /dev, /sys, /tmp and /run, and nothing is
     * mounted or written outside it: the host's mount table, the rootfs directory and a bait directory
     * the links point at stay as they were.
     */
    @Nested
    class HostileRootFilesystems {
        @TempDir
        Path dir;

        /** A copy of the attack rootfs where each {@code name} is a symlink to {@code target} (a path relative to the root). */
        Path hostile(String... linksAndTargets) throws Exception {
            Path hostile = AttackRootfs.copyOf(rootfs, dir.resolve("hostile"));
            for (int i = 0; i < linksAndTargets.length; i += 2) {
                Path link = hostile.resolve(linksAndTargets[i]);
                if (Files.isDirectory(link, LinkOption.NOFOLLOW_LINKS)) {
                    AttackRootfs.run("rm", "-rf", link.toString());
                }
                Files.createDirectories(link.getParent());
                Files.createSymbolicLink(link, Path.of(linksAndTargets[i + 1]));
            }
            return hostile;
        }

        Path bait() throws IOException {
            return Files.createDirectories(dir.resolve("bait"));
        }

        void assertItsOwnSystemMountsAndNothingChangedOutside(Path hostile) throws Exception {
            Path bait = bait();
            Map<String, String> before = snapshot(hostile);
            Container c = start(ContainerSpec.builder().rootfs(hostile));
            assertThat(c.exec("cat", "/proc/1/cmdline")).succeeded().stdout().isEqualTo("containerized-init\0");
            assertThat(c.exec("sh", "-c", "awk '{ for (i = 7; i < NF; i++) if ($i == \"-\") print $5, $(i + 1) }' /proc/self/mountinfo"))
                    .succeeded().stdout().contains("/ overlay\n", "/dev tmpfs\n", "/dev/null devtmpfs\n", "/dev/pts devpts\n",
                            "/dev/shm tmpfs\n", "/sys sysfs\n", "/tmp tmpfs\n", "/run tmpfs\n", "/proc proc\n");
            assertThat(c.exec("sh", "-c", "echo x > /dev/null && ls /sys/class/net && touch /tmp/t /run/r /dev/shm/s && readlink /proc/self/root"))
                    .succeeded().stdout().isEqualTo("lo\n/\n");
            assertThat(hostMounts()).as("the host's mount table").noneMatch(line -> line.contains(dir.toString()));
            c.close();
            assertThat(snapshot(hostile)).as("the rootfs directory").isEqualTo(before);
            try (var entries = Files.list(bait)) {
                assertThat(entries).as("the bait the links point at").isEmpty();
            }
        }

        @Test
        void procLinkedToTheHostsEtc() throws Exception {
            assertItsOwnSystemMountsAndNothingChangedOutside(hostile("proc", "/etc"));
        }

        @Test
        void devClimbingOutOfTheRoot() throws Exception {
            assertItsOwnSystemMountsAndNothingChangedOutside(hostile("dev", ".."));
        }

        @Test
        void sysClimbingThreeLevelsUp() throws Exception {
            assertItsOwnSystemMountsAndNothingChangedOutside(hostile("sys", "../../.."));
        }

        @Test
        void tmpLinkedToTheHostsTmpByAnAbsolutePath() throws Exception {
            assertItsOwnSystemMountsAndNothingChangedOutside(hostile("tmp", "/tmp"));
        }

        @Test
        void runADanglingLink() throws Exception {
            assertItsOwnSystemMountsAndNothingChangedOutside(hostile("run", "/containerized-no-such-dir/run"));
        }

        @Test
        void everyMountPointLinkedIntoABaitDirectoryThatWouldGetItsSubdirectories() throws Exception {
            String bait = bait().toString();
            assertItsOwnSystemMountsAndNothingChangedOutside(hostile("proc", bait + "/proc", "dev", bait, "sys", bait + "/sys",
                    "tmp", bait + "/tmp", "run", bait + "/run/deeper"));
        }

        @Test
        void chainsOfLinksAndALoop() throws Exception {
            String bait = bait().toString();
            assertItsOwnSystemMountsAndNothingChangedOutside(hostile("proc", "p1", "p1", "p2", "p2", bait,
                    "dev", "d1", "d1", "../../../..", "sys", "proc", "tmp", "run", "run", "run"));
        }

        @Test
        void linksBelowDevAndInTheWorkingDirectory() throws Exception {
            String bait = bait().toString();
            Path hostile = hostile("dev/pts", bait, "dev/shm", "../../..", "work", bait);
            assertItsOwnSystemMountsAndNothingChangedOutside(hostile);
            // A working directory through a link out of the root is looked up inside the root: there it does not exist.
            ContainerSpec spec = ContainerSpec.builder().rootfs(hostile).workingDirectory("/work").build();
            assertThatThrownBy(() -> start(spec.toBuilder())).isInstanceOf(ContainerException.class)
                    .hasMessageContaining("enter the working directory: chdir(\"/work\"): ENOENT");
        }

        @Test
        void procAsAFileIsRefusedByNameAndLeavesNothing() throws Exception {
            Path hostile = AttackRootfs.copyOf(rootfs, dir.resolve("hostile"));
            AttackRootfs.run("rm", "-rf", hostile.resolve("proc").toString());
            Files.writeString(hostile.resolve("proc"), "not a directory");
            Map<String, String> before = snapshot(hostile);
            assertThatThrownBy(() -> start(ContainerSpec.builder().rootfs(hostile))).isInstanceOf(ContainerException.class)
                    .hasMessageContaining("mount proc: mkdir ").hasMessageContaining("/merged/proc: EEXIST");
            assertThat(snapshot(hostile)).isEqualTo(before);
        }
    }

    /** Every path below {@code root}, links not followed: its kind, link target or size, mode and time. */
    static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String kind = a.isSymbolicLink() ? "-> " + Files.readSymbolicLink(path) : a.isDirectory() ? "dir" : "file " + a.size();
                entries.put(root.relativize(path).toString(), kind + " " + PosixFilePermissions.toString(a.permissions())
                        + " " + a.lastModifiedTime());
            }
        }
        return entries;
    }

    static List<String> hostMounts() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo"));
    }

    /** Docker's read-only /proc and /sys (/proc/sys, /sys itself) and masked paths, written to or read. */
    @Nested
    class ProcAndSysWrites {
        @Test
        void kernelSettingsUnderProcSysWrittenBackUnchanged() {
            Container c = container();
            for (String setting : List.of("/proc/sys/kernel/core_pattern", "/proc/sys/kernel/hostname", "/proc/sys/vm/overcommit_memory",
                    "/proc/sys/kernel/panic")) {
                String value = c.exec("cat", setting).stdout();
                assertRefused(attack(c, "write", setting, value), "refused open-for-write " + setting + " EROFS\n");
            }
        }

        @Test
        void sysrqTriggerWhereTheKernelHasItAndIrqAffinity() {
            Container c = container();
            ExecResult sysrq = attack(c, "write", "/proc/sysrq-trigger", "h"); // h: help, the one harmless key
            assertThat(sysrq.stdout()).as(sysrq.describe()).isIn("refused open-for-write /proc/sysrq-trigger EROFS\n",
                    "refused open-for-write /proc/sysrq-trigger ENOENT\n");
            assertThat(Files.exists(Path.of("/proc/sysrq-trigger"))).isEqualTo(sysrq.stdout().contains("EROFS"));
            String affinity = c.exec("cat", "/proc/irq/default_smp_affinity").stdout();
            assertRefused(attack(c, "write", "/proc/irq/default_smp_affinity", affinity),
                    "refused open-for-write /proc/irq/default_smp_affinity EROFS\n");
        }

        @Test
        void sysfsWrittenBackUnchanged() {
            Container c = container();
            for (String file : List.of("/sys/kernel/rcu_expedited", "/sys/kernel/profiling")) {
                String value = c.exec("cat", file).stdout();
                assertRefused(attack(c, "write", file, value), "refused open-for-write " + file + " EROFS\n");
            }
        }

        @Test
        void becomingTheOomKillersLastChoice() {
            Container c = container();
            ExecResult r = attack(c, "write", "/proc/self/oom_score_adj", "-1000");
            // Lowering one's OOM score needs CAP_SYS_RESOURCE; raising it (up to the container's own end) does not.
            assertThat(r.stdout()).as(r.describe()).isEqualTo("ALLOWED open-for-write /proc/self/oom_score_adj 3\n"
                    + "refused write /proc/self/oom_score_adj EACCES\n");
            assertThat(c.exec("cat", "/proc/self/oom_score_adj")).succeeded().stdout().isEqualTo("0\n");
        }

        @Test
        void maskedPathsReadEmptyWhereTheKernelHasThem() {
            Container c = container();
            for (String file : List.of("/proc/keys", "/proc/interrupts", "/proc/timer_list", "/proc/kcore", "/proc/sched_debug",
                    "/proc/latency_stats", "/proc/timer_stats")) {
                if (Files.exists(Path.of(file))) {
                    ExecResult r = attack(c, "open", file, "r");
                    assertThat(r.stdout()).as(r.describe()).isEqualTo("ALLOWED open r " + file + " 3\nread " + file + " 0\n");
                }
            }
            for (String directory : List.of("/proc/acpi", "/proc/asound", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap")) {
                ExecResult listed = c.exec("sh", "-c", "ls -A " + directory + " 2>&1");
                assertThat(listed.stdout()).as(directory).isIn("", "ls: " + directory + ": No such file or directory\n");
            }
        }
    }

    @Nested
    class DevicesAreDockersListAndNoOther {
        @Test
        void devHoldsDockersDevicesAndTheContainersOwnDevpts() {
            Container c = container();
            assertThat(c.exec("ls", "-A", "/dev")).succeeded().stdout()
                    .isEqualTo("fd\nfull\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\ntty\nurandom\nzero\n");
            assertThat(c.exec("ls", "-A", "/dev/pts")).succeeded().stdout().isEqualTo("ptmx\n");
        }

        @Test
        void aNodeOfTheHostsDiskMadeWithMknodCannotBeOpenedAnywhere() throws IOException {
            long dev = (long) Files.getAttribute(Path.of("/"), "unix:dev");
            String major = Long.toString(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffL));
            String minor = Long.toString((dev & 0xff) | ((dev >> 12) & ~0xffL));
            Container c = container();
            for (String directory : List.of("/dev", "/tmp", "/dev/shm", "/run", "", "/root", "/var")) {
                String node = directory + "/disk";
                ExecResult r = attack(c, "mknod-open", node, "b", major, minor);
                // CAP_MKNOD makes the node, as in Docker; every writable mount is nodev, so it opens nothing.
                assertThat(r.stdout()).as(r.describe()).isEqualTo("ALLOWED mknod " + node + " 0\nrefused open-node " + node + " EACCES\n");
            }
        }

        @Test
        void memoryKernelLogAndIoPortNodesToo() {
            Container c = container();
            for (String[] device : new String[][] {{"mem", "1"}, {"kmem", "2"}, {"port", "4"}, {"kmsg", "11"}}) {
                String node = "/tmp/" + device[0];
                ExecResult r = attack(c, "mknod-open", node, "c", "1", device[1]);
                assertThat(r.stdout()).as(r.describe()).isEqualTo("ALLOWED mknod " + node + " 0\nrefused open-node " + node + " EACCES\n");
            }
        }

        @Test
        void ptmxGivesAPtyOfTheContainersOwnDevptsAndDevTtyNoTerminal() {
            Container c = container();
            ExecResult ptmx = attack(c, "ptmx");
            assertThat(ptmx.stdout()).as(ptmx.describe()).isEqualTo("ALLOWED open /dev/ptmx 3\npty 0\n");
            assertRefused(attack(c, "open", "/dev/tty", "r"), "refused open r /dev/tty ENXIO\n");
        }

        /**
         * The device nodes and the masked /proc files are binds of the host's own nodes: their owner, mode
         * and times are the host's, shared by every container. Shown with the modification time (put back
         * after) and a chmod to the mode /dev/null has: harmless if it went through, where chmod 000 (or
         * the chmod 600 an earlier version of this test ran) would break every unprivileged program on
         * the host that writes to /dev/null.
         */
        @Test
        void theHostsNodesBoundInCannotBeChangedButStillWork() throws IOException {
            Path zero = Path.of("/dev/zero");
            Path devNull = Path.of("/dev/null");
            FileTime zeroBefore = Files.getLastModifiedTime(zero, LinkOption.NOFOLLOW_LINKS);
            FileTime nullBefore = Files.getLastModifiedTime(devNull, LinkOption.NOFOLLOW_LINKS);
            try {
                Container c = container();
                ExecResult touched = c.exec("sh", "-c", "touch -m -d '2001-02-03 04:05:06' /dev/zero; echo $?;"
                        + " touch -c -m -d '2001-02-03 04:05:06' /proc/keys; echo $?; chmod \"$(stat -c %a /dev/null)\" /dev/null; echo $?");
                assertThat(touched.stdout()).as(touched.describe()).isEqualTo("1\n1\n1\n");
                assertThat(touched.stderr()).contains("Read-only file system");
                assertThat(c.exec("sh", "-c", "echo x > /dev/null && head -c 4 /dev/zero | wc -c && cat /proc/keys | wc -c"))
                        .succeeded().stdout().isEqualTo("4\n0\n");
                assertThat(Files.getLastModifiedTime(zero, LinkOption.NOFOLLOW_LINKS)).isEqualTo(zeroBefore);
                assertThat(Files.getLastModifiedTime(devNull, LinkOption.NOFOLLOW_LINKS)).isEqualTo(nullBefore);
            } finally {
                Files.setLastModifiedTime(zero, zeroBefore);
                Files.setLastModifiedTime(devNull, nullBefore);
            }
        }

        @Test
        void tiocstiOnACommandsStdioWhichArePipes() {
            assertRefused(attack(container(), "tiocsti", "echo injected"), "refused TIOCSTI ENOTTY\n");
        }
    }

    @Nested
    class TheNetworkIsTheContainersOwn {
        /**
         * NET_RAW is among Docker's capabilities and its profile allows AF_PACKET: a raw socket works, as in
         * Docker, for ping and packet capture, on the container's own network namespace, whose one
         * interface is its loopback. The host's interfaces cannot even be bound to.
         */
        @Test
        void aPacketSocketSeesOnlyTheContainersLoopbackAndCannotBindAHostInterface() throws IOException {
            int hostInterface = 2;
            try (Stream<Path> interfaces = Files.list(Path.of("/sys/class/net"))) {
                for (Path net : (Iterable<Path>) interfaces::iterator) {
                    if (!net.getFileName().toString().equals("lo")) {
                        hostInterface = Integer.parseInt(Files.readString(net.resolve("ifindex")).strip());
                        break;
                    }
                }
            }
            ExecResult r = attack(container(), "packet", Integer.toString(hostInterface));
            assertThat(r.stdout()).as(r.describe()).isEqualTo("ALLOWED socket AF_PACKET 3\ninterfaces 1:lo\n"
                    + "refused bind AF_PACKET ifindex " + hostInterface + " ENODEV\n");
        }

        @Test
        void aServiceOnTheHostsLoopbackIsNotTheContainersLoopback() throws Exception {
            try (var listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                String port = Integer.toString(listener.getLocalPort());
                assertRefused(attack(container(), "tcp-connect", "127.0.0.1", port), "refused tcp-connect ECONNREFUSED\n");
            }
        }

        @Test
        void anAbstractUnixSocketOfTheHostIsOutOfReach() throws Exception {
            String name = "containerized-escape-test-" + ProcessHandle.current().pid();
            Process host = new ProcessBuilder(shared.resolve("attack").toString(), "abstract-listen", name, "30").start();
            try {
                assertThat(new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8)).readLine())
                        .isEqualTo("ALLOWED abstract-listen 0");
                assertRefused(attack(container(), "abstract-connect", name), "refused abstract-connect ECONNREFUSED\n");
            } finally {
                host.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }

        @Test
        void pingOnTheContainersLoopbackIsOrdinaryWork() {
            assertThat(container().exec("ping", "-c", "1", "-W", "5", "127.0.0.1")).succeeded().stdout().contains("1 packets received");
        }
    }

    /** Docker's defaults beyond the profile: capabilities, no_new_privs, and no host path in what the container reads. */
    @Nested
    class DockersDefaults {
        /** CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP. */
        static final String DOCKERS_14 = capabilities(0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31);

        static String capabilities(int... bits) {
            long mask = 0;
            for (int bit : bits) {
                mask |= 1L << bit;
            }
            return String.format("%016x", mask);
        }

        static String status(String effective) {
            return "CapInh:\t0000000000000000\nCapPrm:\t" + effective + "\nCapEff:\t" + effective + "\nCapBnd:\t" + DOCKERS_14
                    + "\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t2\n";
        }

        static final String[] STATUS = {"grep", "-E", "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):", "/proc/self/status"};

        @Test
        void dockersFourteenCapabilitiesNoneInheritableOrAmbientNoNewPrivsAndTheFilter() {
            assertThat(DOCKERS_14).isEqualTo("00000000a80425fb");
            Container c = container();
            assertThat(c.exec(STATUS)).succeeded().stdout().isEqualTo(status(DOCKERS_14));
            assertThat(Container.run(ContainerSpec.builder().rootfs(rootfs).build(), STATUS)).succeeded().stdout().isEqualTo(status(DOCKERS_14));
            String[] asNobody = new String[STATUS.length + 3];
            asNobody[0] = "attack";
            asNobody[1] = "as";
            asNobody[2] = "65534";
            System.arraycopy(STATUS, 0, asNobody, 3, STATUS.length);
            assertThat(c.exec(asNobody)).succeeded().stdout().isEqualTo(status("0000000000000000"));
        }

        @Test
        void noHostPathInWhatTheContainerCanRead() throws IOException {
            Container c = container();
            String seen = c.exec("sh", "-c", "cat /proc/1/cmdline /proc/self/cmdline /proc/self/environ /proc/self/mountinfo"
                    + " /proc/self/mounts /proc/self/cgroup /proc/self/maps; ls -l /proc/self/ /proc/self/fd/; readlink /proc/self/exe"
                    + " /proc/self/cwd /proc/self/root; hostname; cat /etc/hostname /etc/hosts 2>/dev/null").stdout();
            List<String> hostPaths = List.of(StateDirectory.base().toString(), rootfs.toString(),
                    shared.toString(), Path.of("").toAbsolutePath().toString(), System.getProperty("java.home"),
                    System.getProperty("user.home") + "/.cache");
            for (String path : hostPaths) {
                assertThat(seen).as("what the container reads").doesNotContain(path);
            }
            assertThat(seen).contains("lowerdir=lower0,upperdir=upper,workdir=work");
        }
    }

    /** What commands do every day still works under the profile and the capabilities. */
    @Nested
    class OrdinaryWorkStillSucceeds {
        @Test
        void aShellPipeline() {
            assertThat(container().exec("sh", "-c", "seq 1 100000 | grep 7 | sort -r | wc -l")).succeeded().stdout().isEqualTo("40951\n");
        }

        @Test
        void ps() {
            assertThat(container().exec("ps", "-o", "pid,args")).succeeded().stdout()
                    .matches("PID\\s+COMMAND\n\\s+1 containerized-init\n\\s+\\d+ ps -o pid,args\n");
        }

        @Test
        void busyboxHttpdServingOnTheContainersLoopback() {
            assertThat(container().exec("sh", "-c", "mkdir /tmp/www && echo served > /tmp/www/index.html"
                    + " && httpd -p 127.0.0.1:8080 -h /tmp/www && wget -q -O - http://127.0.0.1:8080/")).succeeded().stdout().isEqualTo("served\n");
        }

        @Test
        void aJvmCompilingAndRunningASourceFile(@TempDir Path dir) throws Exception {
            Path withJdk = AttackRootfs.copyOf(rootfs, dir.resolve("rootfs"));
            String javaInside = "/" + withJdk.relativize(AttackRootfs.addThisJdk(withJdk));
            ExecResult r = start(ContainerSpec.builder().rootfs(withJdk).execTimeout(Duration.ofMinutes(3))).exec("sh", "-c",
                    "echo 'class Hello { public static void main(String[] a) { System.out.println(\"hello from a JVM as pid \"'"
                            + " '+ ProcessHandle.current().pid() + \" on \" + Runtime.getRuntime().availableProcessors() + \" cpus\"); } }'"
                            + " > /tmp/Hello.java && " + javaInside + " -Xmx64m /tmp/Hello.java");
            assertThat(r).as(r.describe()).succeeded();
            assertThat(r.stdout()).matches("hello from a JVM as pid \\d+ on \\d+ cpus\n");
        }

        @Test
        void debiansAptGetVersion() {
            Path debian = Path.of(System.getProperty("containerized.debianRoot", "/var/cache/containerized-ci/trixie"));
            assumeTrue(Files.isExecutable(debian.resolve("usr/bin/apt-get")),
                    "no Debian root at " + debian + ": make one with src/test/uml/trixie-root.sh (debootstrap, about a minute),"
                            + " or name one with -Dcontainerized.debianRoot=DIR");
            ExecResult r = start(ContainerSpec.builder().rootfs(debian)).exec("apt-get", "--version");
            assertThat(r).as(r.describe()).succeeded();
            assertThat(r.stdout()).startsWith("apt ");
        }
    }

    /**
     * What a container leaves in its upper layer, on the host's disk, must neither stop the host from
     * cleaning up (directories nested far past PATH_MAX once made close() fail with ENAMETOOLONG, left the
     * state directory behind, and made every later container start on the machine fail in its sweep) nor
     * be within reach of the host's other users.
     */
    /**
     * copyFrom recreates the container's symlinks on the host as they are, pointing anywhere. A second
     * copy to the same place (an @AfterEach that collects logs) must not write through them: here the
     * container turns a link into a directory or a file of its own and hopes the copy follows the link
     * left on the host. The "host" targets are temporary files of the test: harmless if it succeeded.
     */
    @Nested
    class CopiesOutOfTheContainer {
        /** What a copy or a mount says of a link below a directory a container was given to write. */
        private static final String LINK_REFUSED = "is a symbolic link in a directory a container was given to write";
        /** What a copy or a mount says of a mount point below such a directory. */
        private static final String MOUNT_REFUSED = "is a mount point in a directory a container was given to write";

        /** A container of the attack rootfs that shares {@code dir} read-write as /shared. */
        Container sharing(Path dir) {
            return start(ContainerSpec.builder().rootfs(rootfs).mount(Mount.bind(dir, "/shared").readWrite()));
        }

        /** Runs a command on the host, which must succeed. */
        private static void host(String... command) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
        }

        @Test
        void aSecondCopyDoesNotWriteThroughTheLinksTheFirstLeftOnTheHost(@TempDir Path dir) throws Exception {
            Path outside = Files.createDirectories(dir.resolve("outside"));
            Path hostFile = Files.writeString(dir.resolve("host-file"), "keep me");
            Path logs = dir.resolve("collected");
            Container c = container();
            c.exec("sh", "-c", "mkdir /logs && ln -s " + outside + " /logs/d && ln -s " + hostFile + " /logs/app.log");
            c.copyFrom("/logs", logs);
            assertThat(logs.resolve("d")).isSymbolicLink();

            c.exec("sh", "-c", "rm /logs/d /logs/app.log && mkdir /logs/d && echo pwned > /logs/d/victim && echo pwned > /logs/app.log");
            c.copyFrom("/logs", logs);

            assertThat(outside.resolve("victim")).doesNotExist();
            assertThat(hostFile).hasContent("keep me");
            assertThat(logs.resolve("d/victim")).hasContent("pwned\n");
            assertThat(logs.resolve("app.log")).isRegularFile().hasContent("pwned\n");
        }

        /** The test names a path below a link the first copy brought out, not knowing it is one. */
        @Test
        void aLaterCopyBelowALinkTheFirstLeftIsRefused(@TempDir Path dir) throws Exception {
            Path victim = Files.createDirectories(dir.resolve("victim"));
            Path out = dir.resolve("out");
            Container c = container();
            c.exec("sh", "-c", "mkdir -p /results /logs && ln -s " + victim + " /results/logs && echo pwned > /logs/app.log");
            c.copyFrom("/results", out);
            assertThatThrownBy(() -> c.copyFrom("/logs/app.log", out.resolve("logs/app.log")))
                    .hasMessageContaining(out.resolve("logs") + " is a symbolic link to " + victim)
                    .hasMessageContaining("that a copyFrom brought out of a container");
            assertThat(victim).isEmptyDirectory();
        }

        /**
         * The host's side of a copy can lie in a directory bound into the container read-write: the
         * container swaps the copy's directory for a link to another host directory while the copy goes
         * into it. Nothing is written there: the copy holds each directory by its descriptor.
         */
        @Test
        void aCopyIntoASharedDirectoryDoesNotFollowALinkSwappedIn(@TempDir Path dir) throws Exception {
            Path shared = Files.createDirectories(dir.resolve("shared"));
            Path victim = Files.createDirectories(dir.resolve("victim"));
            Container c = sharing(shared);
            assertThat(c.exec("sh", "-c", "mkdir /results && cd /results && for i in $(seq 300); do echo payload > f$i; done"))
                    .succeeded();
            BackgroundProcess swapper = c.execInBackground("attack", "swap-for-link", "/shared", "copy", victim.toString(), "8");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            while (System.nanoTime() < end) {
                try {
                    c.copyFrom("/results", shared.resolve("copy"));
                } catch (RuntimeException refusedMeanwhile) {
                    // a link where the copy's directory was: refused, as it should be
                }
            }
            assertThat(swapper.await().stdout()).as("the container swapped while the copies ran").doesNotStartWith("swapped 0");
            assertThat(victim).isEmptyDirectory();
        }

        /**
         * The other way: a program of the container that may not write a root file of a directory the test
         * shares read-write moves it to the name a copyTo writes next (review27 #3). Written into, the file
         * would change for its other link on the host, outside the shared directory; the copy must replace
         * the name instead, as docker cp does.
         */
        @Test
        void aCopyToNeverWritesIntoAFileTheContainersUserMovedToItsName(@TempDir Path dir) throws Exception {
            Path shared = Files.createDirectories(dir.resolve("shared"));
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path rootsFile = Files.writeString(shared.resolve("keep"), "root's own\n");
            Path outsideLink = Files.createLink(Files.createDirectories(dir.resolve("outside")).resolve("keep-link"), rootsFile);
            Container c = start(ContainerSpec.builder().rootfs(rootfs).user("1000").mount(Mount.bind(shared, "/shared").readWrite()));
            assertThat(c.exec("sh", "-c", "echo mine >> /shared/keep").exitCode()).as("the container's user may not write it").isNotZero();
            assertThat(c.exec("mv", "/shared/keep", "/shared/out.txt").exitCode()).isZero();

            c.copyTo("the test's output\n".getBytes(StandardCharsets.UTF_8), "/shared/out.txt");

            assertThat(outsideLink).hasContent("root's own");
            assertThat(shared.resolve("out.txt")).hasContent("the test's output");
            assertThat(Files.isSameFile(shared.resolve("out.txt"), outsideLink)).isFalse();
        }

        /**
         * The same with a file the test bound in read-write, which copyTo writes in place: the container's
         * user cannot move the mount point, but can move the directory that holds it to where a later copy
         * goes (review28 #1). The copy refuses a mount point that is not the test's bind at that path.
         */
        @Test
        void aCopyToRefusesABoundFileTheContainersUserMovedToItsPath(@TempDir Path dir) throws Exception {
            Path shared = Files.createDirectories(dir.resolve("shared"));
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path rootsFile = Files.writeString(Files.createDirectories(dir.resolve("secrets")).resolve("app.yml"), "root's own\n");
            Container c = start(ContainerSpec.builder().rootfs(rootfs).user("1000").mount(Mount.bind(shared, "/data").readWrite())
                    .mount(Mount.bind(rootsFile, "/data/conf/app.yml").readWrite()));
            assertThat(c.exec("sh", "-c", "echo mine >> /data/conf/app.yml").exitCode()).as("the container's user may not write it").isNotZero();
            assertThat(c.exec("mv", "/data/conf", "/data/out").exitCode()).isZero();

            assertThatThrownBy(() -> c.copyTo("the test's output\n".getBytes(StandardCharsets.UTF_8), "/data/out/app.yml"))
                    .isInstanceOf(ContainerException.class).hasMessageContaining("is a mount point, but not a file the test bound at that path");

            assertThat(rootsFile).hasContent("root's own");
            c.copyTo("at its own path\n".getBytes(StandardCharsets.UTF_8), "/data/conf/app.yml"); // a new file: the bind moved away
            assertThat(rootsFile).hasContent("root's own");
            assertThat(shared.resolve("conf/app.yml")).hasContent("at its own path");
        }

        /** The other way: a file of the shared directory exchanged for a link to a host file while copyTo reads it. */
        @Test
        void aCopyFromASharedDirectoryDoesNotReadALinkSwappedIn(@TempDir Path dir) throws Exception {
            Path shared = Files.createDirectories(dir.resolve("shared"));
            Path secret = Files.writeString(dir.resolve("secret"), "host secret");
            Path in = Files.createDirectories(shared.resolve("in"));
            Files.writeString(in.resolve("f"), "input");
            Container c = sharing(shared);
            assertThat(c.exec("ln", "-s", secret.toString(), "/shared/in/l")).succeeded();
            BackgroundProcess exchanger = c.execInBackground("attack", "exchange", "/shared/in", "f", "l", "8");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            while (System.nanoTime() < end) {
                c.copyTo(in, "/copied");
                ExecResult read = c.exec("sh", "-c", "for f in /copied/*; do [ -L $f ] || cat $f; done; rm -rf /copied");
                assertThat(read.stdout()).as("what the container read of the copy").doesNotContain("secret");
            }
            assertThat(exchanger.await().stdout()).doesNotStartWith("exchanged 0");
        }

        /**
         * No race: the container puts a link where a directory of the test's own path will be, below the
         * directory it shares, before the copy. Followed, the copy would write, replace and delete host
         * files wherever the link points, as root. Refused, relative links too, and nothing is written.
         */
        @Test
        void aCopyFromDoesNotFollowALinkTheContainerPutAtADirectoryOfTheTestsPath(@TempDir Path dir) throws Exception {
            Path shared = Files.createDirectories(dir.resolve("shared"));
            Path victim = Files.createDirectories(dir.resolve("victim/results"));
            Files.writeString(victim.resolve("keep.txt"), "host original");
            Files.createDirectories(victim.resolve("hostdir"));
            Files.writeString(victim.resolve("hostdir/precious.txt"), "host precious");
            Container c = sharing(shared);
            assertThat(c.exec("sh", "-c", "mkdir /results && echo container > /results/keep.txt && echo container > /results/hostdir"
                    + " && echo planted > /results/planted.txt && ln -s " + dir.resolve("victim") + " /shared/run-1"
                    + " && ln -s ../victim /shared/run-2")).succeeded();

            for (String run : List.of("run-1", "run-2")) {
                assertThatThrownBy(() -> c.copyFrom("/results", shared.resolve(run + "/results")))
                        .hasMessageContaining(shared.resolve(run) + " " + LINK_REFUSED);
            }

            assertThat(victim.resolve("keep.txt")).hasContent("host original");
            assertThat(victim.resolve("hostdir/precious.txt")).hasContent("host precious");
            assertThat(victim.resolve("planted.txt")).doesNotExist();
            // Without a link on the way, the copy goes below the shared directory, its missing directories made.
            c.copyFrom("/results", shared.resolve("run-3/out/results"));
            assertThat(shared.resolve("run-3/out/results/keep.txt")).hasContent("container\n");
        }

        /**
         * The same deeper than a page of path, where /proc cannot name the directory the link is in: the
         * walk knows it is below the shared directory because it went through its top, not by its name.
         */
        @Test
        void aLinkDeeperThanAPageOfPathIsRefusedToo() throws Exception {
            Path dir = Files.createTempDirectory("escape-deep");
            try {
                Path shared = Files.createDirectories(dir.resolve("shared"));
                Path victim = Files.createDirectories(dir.resolve("victim"));
                StringBuilder deep = new StringBuilder();
                StringBuilder makeDeep = new StringBuilder("cd /shared");
                for (int i = 0; i < 21; i++) { // 21 names of 200 bytes: more than PATH_MAX (4096)
                    String name = String.valueOf((char) ('a' + i)).repeat(200);
                    deep.append(i == 0 ? "" : "/").append(name);
                    makeDeep.append(" && mkdir ").append(name).append(" && cd -P ").append(name);
                }
                Container c = sharing(shared);
                assertThat(c.exec("sh", "-c", makeDeep + " && ln -s " + victim + " link && mkdir /results && echo x > /results/f"))
                        .succeeded();

                assertThatThrownBy(() -> c.copyFrom("/results", shared.resolve(deep.toString()).resolve("link/results")))
                        .hasMessageContaining(LINK_REFUSED);

                assertThat(victim).isEmptyDirectory();
            } finally {
                assertThat(new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor()).isZero(); // deeper than @TempDir deletes
            }
        }

        /** A link outlives the container that made it, and the shared directory may be renamed meanwhile: both still refused. */
        @Test
        void aLinkOfAClosedContainerOrInARenamedSharedDirectoryIsRefused(@TempDir Path dir) throws Exception {
            Path shared = Files.createDirectories(dir.resolve("shared"));
            Path victim = Files.createDirectories(dir.resolve("victim"));
            try (Container planter = Container.start(ContainerSpec.builder().rootfs(rootfs).mount(Mount.bind(shared, "/shared").readWrite())
                    .build())) {
                assertThat(planter.exec("ln", "-s", victim.toString(), "/shared/out")).succeeded();
            }
            Container next = container();
            assertThat(next.exec("sh", "-c", "echo result > /result")).succeeded();

            assertThatThrownBy(() -> next.copyFrom("/result", shared.resolve("out/result")))
                    .hasMessageContaining(LINK_REFUSED);
            Path renamed = Files.move(shared, dir.resolve("renamed"));
            assertThatThrownBy(() -> next.copyFrom("/result", renamed.resolve("out/result")))
                    .hasMessageContaining(LINK_REFUSED);

            assertThat(victim).isEmptyDirectory();
        }

        /** A shared directory the test names through a link of its own is known all the same. */
        @Test
        void aSharedDirectoryGivenThroughALinkIsKnownToo(@TempDir Path dir) throws Exception {
            Path shared = Files.createDirectories(dir.resolve("shared"));
            Path viaLink = Files.createSymbolicLink(dir.resolve("via"), shared);
            Path victim = Files.createDirectories(dir.resolve("victim"));
            Container c = start(ContainerSpec.builder().rootfs(rootfs).mount(Mount.bind(viaLink, "/shared").readWrite()));
            assertThat(c.exec("sh", "-c", "ln -s " + victim + " /shared/out && echo result > /result")).succeeded();

            assertThatThrownBy(() -> c.copyFrom("/result", shared.resolve("out/result")))
                    .hasMessageContaining(LINK_REFUSED);

            assertThat(victim).isEmptyDirectory();
        }

        /**
         * A file the test bound into the container (read-only) cannot be taken away by the container: its
         * rm gets EBUSY. A copy this JVM makes (outside the container's mount namespace, where the kernel
         * lets an unlink through) must not take it away either, for a link or another name of a file in
         * the copied tree.
         */
        @Test
        void aCopyDoesNotTakeAwayAFileTheTestBoundIn(@TempDir Path dir) throws Exception {
            Path bound = Files.writeString(dir.resolve("app.conf"), "the test's config");
            Path asLink = Files.createDirectories(dir.resolve("as-link/etc"));
            Files.createSymbolicLink(asLink.resolve("app.conf"), Path.of("elsewhere"));
            Path asName = Files.createDirectories(dir.resolve("as-name/etc"));
            Files.writeString(asName.resolve("a-first"), "another file");
            Files.createLink(asName.resolve("app.conf"), asName.resolve("a-first"));
            Container c = start(ContainerSpec.builder().rootfs(rootfs).mount(Mount.bind(bound, "/etc/app.conf")));
            for (Path tree : List.of(asLink.getParent(), asName.getParent())) {
                try {
                    c.copyTo(tree, "/");
                } catch (dev.containerized.container.ContainerException refused) {
                    assertThat(refused).hasMessageContaining("/etc/app.conf in container " + c.id() + " is a mount point");
                }
                assertThat(c.exec("sh", "-c", "cat /etc/app.conf; grep -c ' /etc/app.conf ' /proc/self/mountinfo").stdout())
                        .as("after copying " + tree).isEqualTo("the test's config1\n");
            }
        }

        /**
         * Not an attack, the refusal's other side: a directory made after a shared one was deleted may get
         * its inode number at once (ext4 gives it back), and is not a shared one for that. Taken for one,
         * the test's own links there were refused (a bind through one here), which showed as a flaky test.
         */
        @Test
        void aDirectoryMadeWhereASharedOneWasDeletedIsNotTakenForIt(@TempDir Path dir) throws Exception {
            Path shared = Files.createDirectories(dir.resolve("shared"));
            Object inode = Files.getAttribute(shared, "unix:ino");
            sharing(shared).close();
            Files.delete(shared);
            Path again = null;
            for (int i = 0; i < 50 && again == null; i++) {
                Path made = Files.createDirectories(dir.resolve("again-" + i));
                again = Files.getAttribute(made, "unix:ino").equals(inode) ? made : null;
            }
            assumeTrue(again != null, "no new directory got the deleted one's inode number here");
            Path real = Files.createDirectories(dir.resolve("real"));
            Files.writeString(real.resolve("data"), "the test's");
            Path viaLink = Files.createSymbolicLink(again.resolve("via"), real);

            Container c = start(ContainerSpec.builder().rootfs(rootfs).mount(Mount.bind(viaLink, "/data")));

            assertThat(c.exec("cat", "/data/data")).succeeded().stdout().isEqualTo("the test's");
        }

        /**
         * One container writes a workspace, a later one mounts part of it: the first replaced those parts by
         * links to a host file and a host directory. Followed, the second container would read and write
         * them. Its start is refused instead, naming the link.
         */
        @Test
        void aBindSourceAContainerReplacedByALinkIsRefused(@TempDir Path dir) throws Exception {
            Path shared = Files.createDirectories(dir.resolve("shared"));
            Path victimFile = Files.writeString(dir.resolve("victim-file"), "host original");
            Path victimDir = Files.createDirectories(dir.resolve("victim-dir"));
            Files.writeString(shared.resolve("config.yml"), "the test's config");
            Files.createDirectories(shared.resolve("data"));
            Container first = sharing(shared);
            assertThat(first.exec("sh", "-c", "rm -rf /shared/config.yml /shared/data && ln -s " + victimFile
                    + " /shared/config.yml && ln -s " + victimDir + " /shared/data")).succeeded();

            for (Mount mount : List.of(Mount.bind(shared.resolve("config.yml"), "/etc/app.yml").readWrite(),
                    Mount.bind(shared.resolve("data"), "/data").readWrite(), Mount.bind(shared.resolve("data"), "/ro"))) {
                assertThatThrownBy(() -> start(ContainerSpec.builder().rootfs(rootfs).mount(mount)))
                        .hasMessageContaining(LINK_REFUSED);
            }

            assertThat(victimFile).hasContent("host original");
            assertThat(victimDir).isEmptyDirectory();
        }

        /** The other way: a link in place of a directory of the path copyTo reads would hand the container any host file. */
        @Test
        void aCopyToDoesNotReadThroughALinkTheContainerPutAtADirectoryOfTheTestsPath(@TempDir Path dir) throws Exception {
            Path shared = Files.createDirectories(dir.resolve("shared"));
            Files.createDirectories(shared.resolve("fixtures"));
            Files.writeString(shared.resolve("fixtures/app.yml"), "the test's fixture");
            Path secrets = Files.createDirectories(dir.resolve("secrets"));
            Files.writeString(secrets.resolve("app.yml"), "host secret");
            Container c = sharing(shared);
            assertThat(c.exec("sh", "-c", "mv /shared/fixtures /shared/fixtures.orig && ln -s " + secrets + " /shared/fixtures"))
                    .succeeded();

            assertThatThrownBy(() -> c.copyTo(shared.resolve("fixtures/app.yml"), "/etc/app.yml"))
                    .hasMessageContaining(shared.resolve("fixtures") + " " + LINK_REFUSED);

            assertThat(c.exec("cat", "/etc/app.yml").stdout()).doesNotContain("secret");
        }

        /**
         * The container keeps putting a fifo of its own where copyFrom writes its file, in the directory
         * it shares, with a reader held on each. Host root must never open what the container put
         * there: a device node's open can act by itself (a watchdog arms, a tape rewinds), and a
         * container's own opens of it are refused (nodev), the host's are not. The readers see any open.
         */
        @Test
        void aCopyFromNeverOpensWhatTheContainerPutsAtItsTarget(@TempDir Path dir) throws Exception {
            Path shared = Files.createDirectories(dir.resolve("shared"));
            Container c = sharing(shared);
            assertThat(c.exec("sh", "-c", "echo result > /result")).succeeded();
            BackgroundProcess planter = c.execInBackground("attack", "plant-fifos", "/shared", "out", "4");
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3500);
            int copied = 0;
            while (System.nanoTime() < end) {
                c.copyFrom("/result", shared.resolve("out"));
                copied++;
            }
            assertThat(planter.await().stdout()).as("fifos the container planted, and opened by anyone")
                    .matches("planted [1-9][0-9]* opened 0\\s*");
            assertThat(copied).isPositive();
        }

        /**
         * A host mount made below the shared directory after the start is not in the container's view
         * (the bind is a private copy), so the container may rename its directory, and the mount moves
         * along, to where the test's copies and mounts go next. Crossed, copyTo would hand the container
         * that filesystem's files, copyFrom write and delete there, a later container mount it. Each is
         * refused, naming the mount, and its files are as they were.
         */
        @Test
        void aHostMountTheContainerMovedWithinItsSharedDirectoryIsNotCrossed(@TempDir Path dir) throws Exception {
            Path shared = Files.createDirectories(dir.resolve("shared"));
            Path in = Files.createDirectories(shared.resolve("in"));
            Files.writeString(in.resolve("f"), "input");
            Path mountPoint = Files.createDirectories(shared.resolve("m"));
            Container c = sharing(shared);
            host("mount", "-t", "tmpfs", "-o", "size=1m", "escape-tests", mountPoint.toString());
            Path moved = in.resolve("m2");
            try {
                Files.writeString(mountPoint.resolve("secret.txt"), "the host mount's secret");
                assertThat(c.exec("sh", "-c", "mv /shared/m /shared/in/m2 && mkdir /results && echo x > /results/m2"
                        + " && echo result > /result")).succeeded();
                assertThat(moved.resolve("secret.txt")).as("the host's mount moved along").hasContent("the host mount's secret");

                assertThatThrownBy(() -> c.copyTo(in, "/copied")).hasMessageContaining(moved + " " + MOUNT_REFUSED);
                assertThat(c.exec("sh", "-c", "cat /copied/m2/secret.txt").stdout()).doesNotContain("secret");
                assertThatThrownBy(() -> c.copyFrom("/result", moved.resolve("result"))).hasMessageContaining(moved + " " + MOUNT_REFUSED);
                assertThatThrownBy(() -> c.copyFrom("/results", in)).hasMessageContaining(moved + " " + MOUNT_REFUSED);
                assertThatThrownBy(() -> start(ContainerSpec.builder().rootfs(rootfs).mount(Mount.bind(moved, "/data"))))
                        .hasMessageContaining(moved + " " + MOUNT_REFUSED);
                // Nor does a bind of a directory above it carry it along (the bind is recursive elsewhere).
                for (Mount above : List.of(Mount.bind(in, "/data"), Mount.bind(in, "/data").readWrite(), Mount.bind(shared, "/data"))) {
                    assertThatThrownBy(() -> start(ContainerSpec.builder().rootfs(rootfs).mount(above)))
                            .hasMessageContaining("has mounts below it, which a process of such a container may have moved there");
                }

                assertThat(moved.resolve("secret.txt")).hasContent("the host mount's secret");
                assertThat(moved.resolve("result")).doesNotExist();
            } finally {
                host("umount", "-l", moved.toString());
                new ProcessBuilder("umount", "-l", mountPoint.toString()).start().waitFor(); // if the move failed
            }
        }

        /**
         * Outside any shared directory too: where the container's file meets a host directory, the
         * directory makes way, but a mount below it is another filesystem, whose files a copy never
         * deletes. (Before, they were deleted, and then the mount point's removal failed anyway.) The
         * refusal comes before anything of the tree is deleted.
         */
        @Test
        void aCopyFromDoesNotDeleteIntoAHostMountToMakeWay(@TempDir Path dir) throws Exception {
            Path out = Files.createDirectories(dir.resolve("out/x/mounted"));
            Path sibling = Files.writeString(dir.resolve("out/x/sibling.txt"), "beside the mount");
            Container c = container();
            assertThat(c.exec("sh", "-c", "mkdir /results && echo file > /results/x")).succeeded();
            host("mount", "-t", "tmpfs", "-o", "size=1m", "escape-tests", out.toString());
            try {
                Files.writeString(out.resolve("keep.txt"), "the mount's file");

                assertThatThrownBy(() -> c.copyFrom("/results", dir.resolve("out")))
                        .hasMessageContaining("mounted on the host, to make way for a copy: a mount point, which is not deleted into");

                assertThat(out.resolve("keep.txt")).hasContent("the mount's file");
                assertThat(sibling).as("refused before anything was deleted").hasContent("beside the mount");
            } finally {
                host("umount", "-l", out.toString());
            }
        }

        /** The test's own links on its path are followed, into a shared directory too; only the container's are not. */
        @Test
        void theTestsOwnLinksOnItsPathAreFollowed(@TempDir Path dir) throws Exception {
            Path real = Files.createDirectories(dir.resolve("real"));
            Path link = Files.createSymbolicLink(dir.resolve("link"), real);
            Path shared = Files.createDirectories(dir.resolve("shared"));
            Path intoShared = Files.createSymbolicLink(dir.resolve("into-shared"), Path.of("shared"));
            Container c = sharing(shared);
            assertThat(c.exec("sh", "-c", "mkdir /results && echo result > /results/f")).succeeded();

            c.copyFrom("/results", link.resolve("out/results"));
            c.copyFrom("/results", intoShared.resolve("sub/results"));
            c.copyTo(link.resolve("out/results/f"), "/back");

            assertThat(real.resolve("out/results/f")).hasContent("result\n");
            assertThat(shared.resolve("sub/results/f")).hasContent("result\n");
            assertThat(c.exec("cat", "/back").stdout()).isEqualTo("result\n");
        }

        /**
         * Root in the container owns the shared directory's root-owned files, and may take a lease on one:
         * a blocking open on the host would then wait out the kernel's lease-break time, 45 s a file, past
         * any timeout. copyTo fails at once instead, saying why.
         */
        @Test
        void aLeaseTheContainerHoldsOnASharedFileFailsCopyToAtOnce(@TempDir Path dir) throws Exception {
            Path shared = Files.createDirectories(dir.resolve("shared"));
            Files.createDirectories(shared.resolve("in"));
            Files.writeString(shared.resolve("in/f"), "input");
            Container c = sharing(shared);
            BackgroundProcess lease = c.execInBackground("attack", "lease", "/shared/in/f", "30");
            assertThat(lease.awaitLine("leased", Duration.ofSeconds(10))).isEqualTo("leased");

            long began = System.nanoTime();
            assertThatThrownBy(() -> c.copyTo(shared.resolve("in"), "/copied"))
                    .hasMessageContaining("is leased by another process (fcntl F_SETLEASE)");

            assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(10));
            lease.kill();
        }

        /** This JVM makes the copy, so root owns it: a setuid program of the container's would be root's on the host. */
        @Test
        void noSetuidOrSetgidProgramComesOut(@TempDir Path dir) throws Exception {
            Container c = container();
            assertThat(c.exec("sh", "-c", "mkdir -p /out/shared && cp /bin/busybox /out/tool && chmod 6755 /out/tool && chmod 2775 /out/shared"))
                    .succeeded();
            c.copyFrom("/out", dir.resolve("out"));
            assertThat((Integer) Files.getAttribute(dir.resolve("out/tool"), "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777).isEqualTo(0755);
            assertThat((Integer) Files.getAttribute(dir.resolve("out/shared"), "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777).isEqualTo(02775);
        }

        /**
         * A link to the kernel's files: this JVM would read them with the host's privileges (kernel
         * addresses that the container sees as zeros), or read /proc/kmsg, which takes the host's kernel
         * log away from it. Refused, whichever way the link goes.
         */
        @Test
        void filesOfTheKernelsViewsThroughTheContainersLinksAreRefused(@TempDir Path dir) {
            Container c = container();
            assertThat(c.exec("sh", "-c", "ln -s /proc/kallsyms /app.log && mkdir /out && ln -s /proc /out/logs && ln -s /sys/kernel /etc/conf"))
                    .succeeded();
            assertThatThrownBy(() -> c.readFile("/app.log")).hasMessageContaining("/app.log").hasMessageContaining("kernel's proc filesystem");
            assertThatThrownBy(() -> c.copyFrom("/out/logs/kallsyms", dir.resolve("symbols"))).hasMessageContaining("/out/logs/kallsyms")
                    .hasMessageContaining("kernel's proc filesystem");
            assertThatThrownBy(() -> c.copyFrom("/out/logs/sys/kernel", dir.resolve("sysctls"))).hasMessageContaining("kernel's proc filesystem");
            assertThat(dir.resolve("symbols")).doesNotExist();
            assertThatThrownBy(() -> c.copyTo("x".getBytes(StandardCharsets.UTF_8), "/etc/conf/profiling"))
                    .hasMessageContaining("kernel's sysfs filesystem");
        }
    }

    /**
     * With -Dcontainerized.writableLayer=stateDir, what a container writes lies on the host's disk until its
     * close: a tree the host must hold, reach no further through, and remove. In memory (the default) it
     * never reaches the host's disk at all.
     */
    @Nested
    class WhatTheContainerLeavesOnTheHostsDisk {
        @BeforeEach
        void onTheStateDirectorysFilesystem() {
            System.setProperty(WritableLayer.PROPERTY, "stateDir");
        }

        @AfterEach
        void inMemoryAgain() {
            System.clearProperty(WritableLayer.PROPERTY);
        }

        @Test
        void inMemoryTheHostsDiskGetsNoneOfIt() throws IOException {
            System.clearProperty(WritableLayer.PROPERTY);
            Container c = container();
            ExecResult r = c.exec("sh", "-c", "attack litter /root/litter 300 && mknod -m 666 /zero c 1 5");
            assertThat(r.stdout()).as(r.describe()).isEqualTo("nested 300 levels, 600 bytes of path\n");
            try (Stream<Path> left = Files.list(StateDirectory.base().resolve(c.id()))) {
                assertThat(left.map(p -> p.getFileName().toString())).containsExactly("lock");
            }
            assertThat(c.changes()).extracting(dev.containerized.container.Change::path).contains("/root/litter", "/zero");
        }

        @Test
        void directoriesNestedPastPathMaxNamesThatAreNoTextAndLinksToAHostDirectory() throws IOException {
            Path hostDirectory = Files.createDirectories(shared.resolve("host-directory-" + System.nanoTime()));
            Path hostFile = Files.writeString(hostDirectory.resolve("keep"), "keep me");
            Container c = container();
            ExecResult r = c.exec("sh", "-c", "ln -s " + hostDirectory + " /root/link-to-a-host-directory && attack litter /root/litter 3000");
            assertThat(r.stdout()).as(r.describe()).isEqualTo("nested 3000 levels, 6000 bytes of path\n");
            Path state = StateDirectory.base().resolve(c.id());
            assertThat(state.resolve("upper/root/litter/link-to-a-host-file")).isSymbolicLink();
            assertThatThrownBy(c::changes).isInstanceOf(ContainerException.class).hasMessageContaining("longer than PATH_MAX");
            c.close();
            assertThat(state).doesNotExist();
            assertThat(hostFile).hasContent("keep me");
        }

        /**
         * The upper layer lies on the host's disk with what the container made there: a device node anyone
         * may open, a setuid-root program. Its state directory is root's alone, so no other host user reaches
         * them, also where the base of the state directories is open to all (-Dcontainerized.stateDir).
         */
        @Test
        void hostUsersOtherThanRootCannotReachTheNodesAndSetuidProgramsItMade(@TempDir Path dir) throws Exception {
            Path base = Files.createDirectories(dir.resolve("state"));
            for (Path open : List.of(dir, base)) {
                Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            String property = StateDirectory.BASE_PROPERTY;
            String previous = System.getProperty(property);
            System.setProperty(property, base.toString());
            try (Container c = Container.start(ContainerSpec.builder().rootfs(rootfs).build())) {
                assertThat(c.exec("sh", "-c", "mknod -m 666 /zero c 1 5 && cp /bin/busybox /id && chmod 4755 /id")).succeeded();
                Path upper = base.resolve(c.id()).resolve("upper");
                assertThat(upper.resolve("zero")).exists();
                for (String command : List.of("head -c 1 " + upper.resolve("zero"), upper.resolve("id") + " -u")) {
                    Process asNobody = new ProcessBuilder(shared.resolve("attack").toString(), "as", "65534", "sh", "-c", command)
                            .redirectErrorStream(true).start();
                    String output = new String(asNobody.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertThat(asNobody.waitFor()).as(command + ": " + output).isNotZero();
                    assertThat(output).as(command).contains("Permission denied");
                }
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(base.resolve(c.id())))).isEqualTo("rwx------");
            } finally {
                if (previous == null) {
                    System.clearProperty(property);
                } else {
                    System.setProperty(property, previous);
                }
            }
            try (Stream<Path> left = Files.list(base)) {
                assertThat(left).isEmpty();
            }
        }

        /** The JVM that dies: its container litters, then it is killed before it can clean up. */
        public static final class LitteringJvm {
            public static void main(String[] args) {
                Container c = Container.start(ContainerSpec.builder().rootfs(Path.of(args[0])).build());
                ExecResult r = c.exec("attack", "litter", "/root/litter", "3000");
                System.out.println("READY " + c.id() + " " + r.stdout().strip());
                System.out.flush();
                try {
                    Thread.sleep(600_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Test
        void theSweepAfterAKilledJvmRemovesItAndLaterStartsWork() throws Exception {
            Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-D" + WritableLayer.PROPERTY + "=stateDir", "-D" + StateDirectory.BASE_PROPERTY + "=" + StateDirectory.base(),
                    "-cp", System.getProperty("java.class.path"),
                    LitteringJvm.class.getName(), rootfs.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String ready = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            jvm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            assertThat(ready).matches("READY \\S+ nested 3000 levels, 6000 bytes of path");
            Path state = StateDirectory.base().resolve(ready.split(" ")[1]);
            assertThat(state).isDirectory();
            awaitUnlocked(state);
            // The sweep removes a dead run's empty cgroups a minute after they emptied: they are made to look
            // that old, so that this test leaves nothing either.
            String id = ready.split(" ")[1];
            Debris.awaitEmptyCgroups(id, Duration.ofSeconds(10));
            Debris.age(id);
            HostContainer.removeWhatDeadRunsLeft(CgroupLayout.detect(), Duration.ofMinutes(1));
            assertThat(state).doesNotExist();
            assertThat(Debris.of(id, StateDirectory.base())).isEmpty();
            assertThat(container().exec("true")).succeeded();
        }

        /** The dead JVM's lock goes with its last descriptor, a moment after it was reaped. */
        private void awaitUnlocked(Path state) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                try (var channel = FileChannel.open(state.resolve("lock"), StandardOpenOption.WRITE);
                     var lock = channel.tryLock()) {
                    if (lock != null) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
    }
}
