package dev.containerized.container.confine;

import dev.containerized.internal.linux.Architecture;
import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import dev.containerized.container.Seccomp;
import dev.containerized.container.confine.Confinement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Docker's default profile, compiled and installed for real: on one fresh platform thread, with
 * prctl(PR_SET_NO_NEW_PRIVS) and seccomp(SECCOMP_SET_MODE_FILTER) without TSYNC, so that thread
 * alone is filtered. It makes a few calls and ends; the JVM's other threads never see the filter.
 * <p>
 * Each probe is chosen so that it is harmless when the filter lets it through (bad pointers, a
 * multithreaded unshare), and so that the kernel's own answer differs from the filter's: an EPERM
 * or ENOSYS seen here came from the filter.
 */
class SeccompKernelTests {
    // linux/prctl.h, linux/seccomp.h, sched.h, sys/socket.h, sys/personality.h, linux/keyctl.h, fcntl.h
    static final int PR_SET_NO_NEW_PRIVS = 38;
    static final int SECCOMP_SET_MODE_FILTER = 1;
    static final long CLONE_NEWUSER = 0x10000000;
    static final long AF_INET = 2;
    static final long AF_VSOCK = 40;
    static final long SOCK_DGRAM = 2;
    static final long SOCK_CLOEXEC = 02000000;
    static final long ADDR_NO_RANDOMIZE = 0x0040000;
    static final long KEYCTL_GET_KEYRING_ID = 0;
    static final long KEY_SPEC_SESSION_KEYRING = -3;
    static final long AT_FDCWD = -100;
    static final int EPERM = 1;
    static final int EBADF = 9;
    static final int EFAULT = 14;
    static final int EINVAL = 22;
    static final int ENOSYS = 38;
    /** How Process reports a death by SIGSYS: 128 + 31. */
    static final int KILLED_BY_SIGSYS = 128 + 31;
    static final Pattern SECCOMP_FILTERS = Pattern.compile("(?m)^Seccomp_filters:\\s*(\\d+)$");

    /** Test-only bindings: the runtime installs filters from its C init, never from Java. */
    interface Kernel extends Library {
        Kernel C = Native.load(Platform.C_LIBRARY_NAME, Kernel.class);

        /** syscall(2): the call's result, or -1 and errno. */
        long syscall(long number, Object... args) throws LastErrorException;

        /** prctl(2): non-negative, or -1 and errno. */
        int prctl(int option, long arg2, long arg3, long arg4, long arg5) throws LastErrorException;
    }

    /** A call's result: its return value, or the errno it failed with. */
    record Result(long value, int errno) {
        boolean failed() {
            return errno != 0;
        }
    }

    static Architecture arch;
    static SyscallTable table;

    @BeforeAll
    static void onLinuxWithSeccompFilters() throws IOException {
        assumeTrue(Platform.isLinux(), "seccomp is a Linux feature");
        assumeTrue(System.getProperty("os.arch").matches("amd64|x86_64|aarch64"), "filters are compiled for x86_64 and aarch64");
        assumeTrue(Files.readString(Path.of("/proc/self/status")).contains("Seccomp:"), "this kernel has no CONFIG_SECCOMP");
        arch = Architecture.current();
        table = SyscallTable.of(arch);
        Kernel.C.getClass(); // load the binding before any thread is filtered
    }

    @Test
    void dockersDefaultFilterHoldsOnARealThread() throws Exception {
        byte[] program = SeccompFilters.compile(Seccomp.DEFAULT, arch, Set.copyOf(Confinement.DOCKER_CAPABILITIES),
                KernelVersion.running()).orElseThrow();
        int filtersBefore = filterCount(readStatus());

        Map<String, Result> before = new LinkedHashMap<>();
        Map<String, Result> after = new LinkedHashMap<>();
        CompletableFuture<String> filteredStatus = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                before.put("unshare(CLONE_NEWUSER)", call("unshare", CLONE_NEWUSER));
                before.put("clone3(NULL, 0)", call("clone3", 0L, 0L));
                before.put("syscall 1000", callNumber(1000));
                install(program, table);
                probe(after);
                filteredStatus.complete(readStatus());
            } catch (Throwable t) {
                filteredStatus.completeExceptionally(t);
            }
        }, "seccomp-probe");
        thread.start();
        String status = filteredStatus.get(30, TimeUnit.SECONDS);
        thread.join(TimeUnit.SECONDS.toMillis(30));

        assertThat(before.get("unshare(CLONE_NEWUSER)").errno()).as("unfiltered: a JVM is multithreaded").isEqualTo(EINVAL);
        assertThat(before.get("clone3(NULL, 0)").errno()).as("unfiltered: too small a clone_args").isEqualTo(EINVAL);
        assertThat(before.get("syscall 1000").errno()).as("unfiltered: no such call").isEqualTo(ENOSYS);

        assertThat(status).contains("Seccomp:\t2").as("the probe thread runs under one more filter")
                .satisfies(s -> assertThat(filterCount(s)).isEqualTo(filtersBefore + 1));
        assertThat(filterCount(readStatus())).as("the test thread is untouched").isEqualTo(filtersBefore);

        assertThat(after.get("getpid").value()).isEqualTo(ProcessHandle.current().pid());
        assertThat(after.get("write(-1)").errno()).as("allowed: the kernel answers").isEqualTo(EBADF);
        assertThat(after.get("socket(AF_INET, SOCK_DGRAM)").failed()).isFalse();
        assertThat(after.get("personality(0xffffffff)").failed()).as("the query is allowed").isFalse();
        assertThat(after.get("fchmodat2(AT_FDCWD, NULL)").errno()).as("a call newer than the headers, allowed")
                .isEqualTo(EFAULT);

        assertThat(after.get("unshare(CLONE_NEWUSER)").errno()).isEqualTo(EPERM);
        assertThat(after.get("clone3(NULL, 0)").errno()).isEqualTo(ENOSYS);
        assertThat(after.get("keyctl(GET_KEYRING_ID, session)").errno()).isEqualTo(EPERM);
        assertThat(after.get("mount(NULL, NULL)").errno()).isEqualTo(EPERM);
        assertThat(after.get("socket(AF_VSOCK)").errno()).isEqualTo(EPERM);
        assertThat(after.get("personality(ADDR_NO_RANDOMIZE)").errno()).isEqualTo(EPERM);
        assertThat(after.get("bpf").errno()).isEqualTo(EPERM);
        assertThat(after.get("io_uring_setup").errno()).isEqualTo(EPERM);
        assertThat(after.get("syscall 1000").errno()).as("unknown calls get the default").isEqualTo(EPERM);
    }

    @Test
    void anX32CallKillsTheWholeProcess() throws Exception {
        assumeTrue(arch == Architecture.X86_64, "x32 exists on x86_64 only");
        // A child JVM, since the answer is death; without core dumps, which a JVM makes large.
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder("/bin/sh", "-c", "ulimit -c 0; exec \"$0\" \"$@\"", java,
                "-cp", System.getProperty("java.class.path"), SeccompKillProbe.class.getName())
                .redirectErrorStream(true).start();
        child.getOutputStream().close();
        boolean ended = child.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            child.destroyForcibly();
        }
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ended).as("the probe ended; output:%n%s", output).isTrue();
        assertThat(output).as("the filter was installed before the call").contains(SeccompKillProbe.FILTERED)
                .doesNotContain(SeccompKillProbe.SURVIVED);
        assertThat(child.exitValue()).as("killed by SIGSYS; output:%n%s", output).isEqualTo(KILLED_BY_SIGSYS);
    }

    /** Runs on the filtered thread: only calls, no assertions (their failures would make more calls). */
    private static void probe(Map<String, Result> results) {
        results.put("getpid", call("getpid"));
        results.put("write(-1)", call("write", -1L, 0L, 0L));
        Result socket = call("socket", AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0L);
        results.put("socket(AF_INET, SOCK_DGRAM)", socket);
        if (!socket.failed()) {
            call("close", socket.value());
        }
        results.put("personality(0xffffffff)", call("personality", 0xffffffffL));
        results.put("fchmodat2(AT_FDCWD, NULL)", call("fchmodat2", AT_FDCWD, 0L, 0L, 0L));
        results.put("unshare(CLONE_NEWUSER)", call("unshare", CLONE_NEWUSER));
        results.put("clone3(NULL, 0)", call("clone3", 0L, 0L));
        results.put("keyctl(GET_KEYRING_ID, session)", call("keyctl", KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0L));
        results.put("mount(NULL, NULL)", call("mount", 0L, 0L, 0L, 0L, 0L));
        Result vsock = call("socket", AF_VSOCK, SOCK_DGRAM | SOCK_CLOEXEC, 0L);
        results.put("socket(AF_VSOCK)", vsock);
        if (!vsock.failed()) {
            call("close", vsock.value());
        }
        results.put("personality(ADDR_NO_RANDOMIZE)", call("personality", ADDR_NO_RANDOMIZE));
        results.put("bpf", call("bpf", 0x7fffffffL, 0L, 0L));
        results.put("io_uring_setup", call("io_uring_setup", 0L, 0L));
        results.put("syscall 1000", callNumber(1000));
    }

    static void install(byte[] program, SyscallTable table) {
        Memory filter = new Memory(program.length);
        filter.write(0, program, 0, program.length);
        Memory fprog = new Memory(16); // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
        fprog.clear();
        fprog.setShort(0, (short) (program.length / BpfAssembler.INSTRUCTION_BYTES));
        fprog.setPointer(8, filter);
        Kernel.C.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        Kernel.C.syscall(table.require("seccomp"), (long) SECCOMP_SET_MODE_FILTER, 0L, fprog);
    }

    private static Result call(String name, Object... args) {
        return callNumber(table.require(name), args);
    }

    private static Result callNumber(int number, Object... args) {
        try {
            return new Result(Kernel.C.syscall(number, args), 0);
        } catch (LastErrorException e) {
            return new Result(-1, e.getErrorCode());
        }
    }

    private static String readStatus() {
        try {
            return Files.readString(Path.of("/proc/thread-self/status"));
        } catch (IOException e) {
            throw new IllegalStateException("reading /proc/thread-self/status", e);
        }
    }

    /** Seccomp_filters: is there since Linux 5.9; older kernels show only the mode. */
    private static int filterCount(String status) {
        Matcher m = SECCOMP_FILTERS.matcher(status);
        return m.find() ? Integer.parseInt(m.group(1)) : (status.contains("Seccomp:\t2") ? 1 : 0);
    }
}
