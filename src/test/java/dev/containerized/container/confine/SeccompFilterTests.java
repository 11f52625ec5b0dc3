package dev.containerized.container.confine;

import dev.containerized.internal.linux.Architecture;
import dev.containerized.container.Seccomp;
import dev.containerized.container.confine.Confinement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Docker's default profile, compiled for x86_64 and aarch64 and run in {@link ClassicBpf}: the
 * decisions Docker makes for the calls that matter, checked one by one, then every call number
 * checked against {@link ReferenceSemantics}.
 */
class SeccompFilterTests {
    static final Set<Integer> DOCKER_CAPS = Set.copyOf(Confinement.DOCKER_CAPABILITIES);
    static final KernelVersion KERNEL = new KernelVersion(6, 18);
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_SYS_CHROOT = 18;
    static final int AUDIT_ARCH_I386 = 0x40000003;
    static final int AUDIT_ARCH_ARM = 0x40000028;

    static final String ALLOW = "ALLOW";
    static final String EPERM = "ERRNO(1)";
    static final String ENOSYS = "ERRNO(38)";
    static final String KILL = "KILL_PROCESS";

    // sched.h, sys/socket.h, sys/personality.h
    static final long CLONE_THREAD_FLAGS = 0x3d0f00; // VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
    static final long CLONE_NEWNS = 0x20000;
    static final long CLONE_NEWUSER = 0x10000000;
    static final long CLONE_NEWNET = 0x40000000;
    static final long AF_UNIX = 1;
    static final long AF_INET = 2;
    static final long AF_INET6 = 10;
    static final long AF_NETLINK = 16;
    static final long AF_PACKET = 17;
    static final long AF_ALG = 38;
    static final long AF_VSOCK = 40;
    static final long ADDR_NO_RANDOMIZE = 0x0040000;

    static Filter filter(Architecture arch) {
        return Filter.of(Seccomp.DEFAULT, arch, DOCKER_CAPS, KERNEL);
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void allowsWhatOrdinaryProgramsCall(Architecture arch) {
        Filter filter = filter(arch);
        for (String call : List.of("read", "write", "execve", "futex", "mmap", "munmap", "openat", "close", "getpid",
                "exit_group", "wait4", "rt_sigaction", "socketpair", "connect", "pipe2", "epoll_pwait", "getrandom",
                "fchmodat2", "cachestat", "seccomp", "prctl", "capset", "setuid", "mknodat", "fchown")) {
            assertThat(filter.verdict(call)).as(call).isEqualTo(ALLOW);
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void refusesWhatDockerRefusesWithEperm(Architecture arch) {
        Filter filter = filter(arch);
        for (String call : List.of("mount", "umount2", "pivot_root", "kexec_load", "kexec_file_load", "reboot", "setns",
                "open_by_handle_at", "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key",
                "io_uring_setup", "io_uring_enter", "io_uring_register", "init_module", "finit_module",
                "delete_module", "swapon", "swapoff", "acct", "settimeofday", "clock_settime", "syslog", "quotactl",
                "fsopen", "fsmount", "move_mount", "open_tree", "mount_setattr", "lookup_dcookie", "sethostname",
                "setdomainname", "vhangup", "mbind", "set_mempolicy", "kcmp", "pidfd_getfd", "process_madvise",
                "nfsservctl", "fanotify_init", "unshare")) {
            assertThat(filter.verdict(call)).as(call).isEqualTo(EPERM);
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void cloneMakesThreadsAndProcessesButNoNamespaces(Architecture arch) {
        Filter filter = filter(arch);
        assertThat(filter.verdict("clone", CLONE_THREAD_FLAGS)).isEqualTo(ALLOW);
        assertThat(filter.verdict("clone", 17 /* SIGCHLD: fork */)).isEqualTo(ALLOW);
        assertThat(filter.verdict("clone", CLONE_NEWUSER | 17)).isEqualTo(EPERM);
        assertThat(filter.verdict("clone", CLONE_NEWNS)).isEqualTo(EPERM);
        assertThat(filter.verdict("clone", CLONE_NEWNET | CLONE_THREAD_FLAGS)).isEqualTo(EPERM);
        assertThat(filter.verdict("clone", 1L << 32 | 17)).as("bits above 32 are outside Docker's mask").isEqualTo(ALLOW);
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void clone3AnswersEnosysSoLibcFallsBackToClone(Architecture arch) {
        assertThat(filter(arch).verdict("clone3")).isEqualTo(ENOSYS);
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void unshareIsRefusedWhateverTheFlags(Architecture arch) {
        Filter filter = filter(arch);
        assertThat(filter.verdict("unshare", CLONE_NEWUSER)).isEqualTo(EPERM);
        assertThat(filter.verdict("unshare", 0x200 /* CLONE_FS */)).isEqualTo(EPERM);
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void personalityOnlyForLinuxAndItsQuery(Architecture arch) {
        Filter filter = filter(arch);
        for (long persona : new long[]{0, 8, 0x20000, 0x20008, 0xffffffffL}) {
            assertThat(filter.verdict("personality", persona)).as("personality(0x%x)", persona).isEqualTo(ALLOW);
        }
        assertThat(filter.verdict("personality", ADDR_NO_RANDOMIZE)).isEqualTo(EPERM);
        assertThat(filter.verdict("personality", 0x0400000 /* READ_IMPLIES_EXEC */)).isEqualTo(EPERM);
        assertThat(filter.verdict("personality", -1L)).as("a sign-extended -1 is not 0xffffffff").isEqualTo(EPERM);
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void socketFamiliesOnDockersListOnly(Architecture arch) {
        Filter filter = filter(arch);
        for (long family : new long[]{AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, 0, 11, 45}) {
            assertThat(filter.verdict("socket", family, 2, 0)).as("socket(%d)", family).isEqualTo(ALLOW);
        }
        for (long family : new long[]{AF_VSOCK, AF_ALG, 12, 19, 46, 1000}) {
            assertThat(filter.verdict("socket", family, 1, 0)).as("socket(%d)", family).isEqualTo(EPERM);
        }
        assertThat(filter.verdict("socket", 1L << 32 | AF_INET, 2, 0)).as("the high word counts").isEqualTo(EPERM);
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void ptraceFromKernel48(Architecture arch) {
        assertThat(filter(arch).verdict("ptrace")).isEqualTo(ALLOW);
        assertThat(filter(arch).verdict("process_vm_readv")).isEqualTo(ALLOW);
        Filter old = Filter.of(Seccomp.DEFAULT, arch, DOCKER_CAPS, new KernelVersion(4, 4));
        assertThat(old.verdict("ptrace")).isEqualTo(EPERM);
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void capabilityGroupsFollowTheCapabilitySet(Architecture arch) {
        assertThat(filter(arch).verdict("chroot")).as("CAP_SYS_CHROOT is a Docker default").isEqualTo(ALLOW);
        Set<Integer> withoutChroot = new HashSet<>(DOCKER_CAPS);
        withoutChroot.remove(CAP_SYS_CHROOT);
        assertThat(Filter.of(Seccomp.DEFAULT, arch, withoutChroot, KERNEL).verdict("chroot")).isEqualTo(EPERM);

        Set<Integer> admin = new HashSet<>(DOCKER_CAPS);
        admin.add(CAP_SYS_ADMIN);
        Filter privileged = Filter.of(Seccomp.DEFAULT, arch, admin, KERNEL);
        for (String call : List.of("mount", "umount2", "unshare", "setns", "clone3", "bpf", "sethostname")) {
            assertThat(privileged.verdict(call)).as(call).isEqualTo(ALLOW);
        }
        assertThat(privileged.verdict("clone", CLONE_NEWUSER)).isEqualTo(ALLOW);
        assertThat(privileged.verdict("keyctl")).as("no capability opens the keyring").isEqualTo(EPERM);
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void foreignArchitecturesAreKilled(Architecture arch) {
        Filter filter = filter(arch);
        int foreign = arch == Architecture.X86_64 ? AUDIT_ARCH_I386 : AUDIT_ARCH_ARM;
        int other = arch == Architecture.X86_64 ? Architecture.AARCH64.auditArch() : Architecture.X86_64.auditArch();
        assertThat(filter.verdictFor(foreign, 3)).isEqualTo(KILL);
        assertThat(filter.verdictFor(other, 63)).isEqualTo(KILL);
        assertThat(filter.verdictFor(0, 0)).isEqualTo(KILL);
    }

    @Test
    void x32CallsAreKilledOnX86_64ButASkippedCallIsNot() {
        Filter filter = filter(Architecture.X86_64);
        int x32Bit = FilterEmitter.X32_SYSCALL_BIT;
        assertThat(filter.verdictFor(Architecture.X86_64.auditArch(), x32Bit)).as("x32 read").isEqualTo(KILL);
        assertThat(filter.verdictFor(Architecture.X86_64.auditArch(), x32Bit | 512)).as("x32 rt_sigaction").isEqualTo(KILL);
        assertThat(filter.verdictFor(Architecture.X86_64.auditArch(), -1)).isEqualTo(EPERM);
        assertThat(filter(Architecture.AARCH64).verdictFor(Architecture.AARCH64.auditArch(), x32Bit)).isEqualTo(EPERM);
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void unknownNumbersGetTheDefault(Architecture arch) {
        Filter filter = filter(arch);
        for (int nr : new int[]{471, 1000, 0x3fffffff, 0x80000000, 0xbfffffff}) { // none with bit 30: that is x32
            assertThat(filter.verdictFor(arch.auditArch(), nr)).as("nr %d", nr).isEqualTo(EPERM);
        }
    }

    @Test
    void architectureSpecificRules() {
        assertThat(filter(Architecture.X86_64).verdict("arch_prctl")).isEqualTo(ALLOW);
        assertThat(filter(Architecture.X86_64).verdict("modify_ldt")).isEqualTo(ALLOW);
        assertThat(filter(Architecture.X86_64).verdict("uretprobe")).isEqualTo(ALLOW);
        assertThat(filter(Architecture.AARCH64).verdict("sync_file_range")).isEqualTo(ALLOW);
        assertThat(SyscallTable.of(Architecture.AARCH64).number("arch_prctl")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void everyCallNumberAgreesWithTheReferenceSemantics(Architecture arch) {
        Profile profile = ProfileReader.read("default", Seccomp.DEFAULT.profileJson().orElseThrow());
        Random random = new Random(42);
        for (Set<Integer> caps : List.of(DOCKER_CAPS, Set.<Integer>of(), allCapabilities())) {
            Filter filter = Filter.of(Seccomp.DEFAULT, arch, caps, KERNEL);
            for (int nr = -1; nr < 600; nr++) {
                for (long[] args : argumentVectors(random)) {
                    int expected = ReferenceSemantics.expected(profile, arch, caps, KERNEL, arch.auditArch(), nr, args);
                    int actual = filter.bpf.run(nr, arch.auditArch(), args);
                    assertThat(new Action(actual)).as("%s nr %d args %s caps %s", arch, nr, Arrays.toString(args), caps)
                            .isEqualTo(new Action(expected));
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void theDefaultProgramIsSmall(Architecture arch) {
        int length = filter(arch).bpf.length();
        System.out.printf("Docker's default profile for %s with Docker's capabilities: %d instructions%n", arch, length);
        assertThat(length).isBetween(50, 1000);
    }

    /** Values around the constants Docker's rules compare with, in both words, and random ones. */
    static List<long[]> argumentVectors(Random random) {
        List<long[]> vectors = new ArrayList<>();
        long[] interesting = {0, 1, 2, 8, 11, 12, 13, 17, 38, 40, 45, 46, 0x20000, 0x20008, 0xffffffffL, -1L,
                1L << 32, (1L << 32) | 2, 0x7E020000L, 0x10000000L | 17, CLONE_THREAD_FLAGS, 0x3d0f00L | CLONE_NEWUSER};
        for (long value : interesting) {
            vectors.add(new long[]{value, value, 0, 0, 0, 0});
        }
        for (int i = 0; i < 4; i++) {
            vectors.add(new long[]{random.nextLong(), random.nextLong(), random.nextLong(), 0, 0, 0});
        }
        return vectors;
    }

    static Set<Integer> allCapabilities() {
        Set<Integer> all = new HashSet<>();
        for (int cap = 0; cap <= 40; cap++) {
            all.add(cap);
        }
        return all;
    }

    /** A compiled filter and the decoded program, asked in terms of call names. */
    record Filter(Architecture arch, ClassicBpf bpf) {
        static Filter of(Seccomp seccomp, Architecture arch, Set<Integer> caps, KernelVersion kernel) {
            byte[] program = SeccompFilters.compile(seccomp, arch, caps, kernel).orElseThrow();
            return new Filter(arch, ClassicBpf.load(program));
        }

        String verdict(String call, long... args) {
            return verdictFor(arch.auditArch(), SyscallTable.of(arch).require(call), args);
        }

        String verdictFor(int auditArch, int nr, long... args) {
            return new Action(bpf.run(nr, auditArch, args)).toString();
        }
    }
}
