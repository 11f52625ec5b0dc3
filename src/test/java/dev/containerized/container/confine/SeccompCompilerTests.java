package dev.containerized.container.confine;

import dev.containerized.internal.linux.Architecture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.StringJoiner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The compiler on profiles written to stress it, each run in {@link ClassicBpf} against {@link ReferenceSemantics}. */
class SeccompCompilerTests {
    static final KernelVersion KERNEL = new KernelVersion(6, 18);
    static final Set<Integer> NO_CAPS = Set.of();
    /** High word 1, low word 5: tells a 32-bit comparison from a 64-bit one. */
    static final long WIDE = 0x1_0000_0005L;

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void everyOperatorComparesAll64Bits(Architecture arch) {
        String profile = """
                {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "syscalls": [
                  {"names": ["read"],   "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": %1$d, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["write"],  "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": %1$d, "op": "SCMP_CMP_NE"}]},
                  {"names": ["close"],  "action": "SCMP_ACT_ALLOW", "args": [{"index": 2, "value": %1$d, "op": "SCMP_CMP_LT"}]},
                  {"names": ["dup"],    "action": "SCMP_ACT_ALLOW", "args": [{"index": 3, "value": %1$d, "op": "SCMP_CMP_LE"}]},
                  {"names": ["dup3"],   "action": "SCMP_ACT_ALLOW", "args": [{"index": 4, "value": %1$d, "op": "SCMP_CMP_GE"}]},
                  {"names": ["fsync"],  "action": "SCMP_ACT_ALLOW", "args": [{"index": 5, "value": %1$d, "op": "SCMP_CMP_GT"}]},
                  {"names": ["getcwd"], "action": "SCMP_ACT_LOG",
                   "args": [{"index": 0, "value": 18374686479671623935, "valueTwo": 1297036692682702900, "op": "SCMP_CMP_MASKED_EQ"}]},
                  {"names": ["lseek"], "action": "SCMP_ACT_TRAP",
                   "args": [{"index": 0, "value": 3, "op": "SCMP_CMP_GE"}, {"index": 0, "value": 9, "op": "SCMP_CMP_LE"},
                            {"index": 2, "value": 0, "op": "SCMP_CMP_NE"}]},
                  {"names": ["lseek"], "action": "SCMP_ACT_KILL", "args": [{"index": 1, "value": 4294967296, "op": "SCMP_CMP_GT"}]},
                  {"names": ["lseek"], "action": "SCMP_ACT_TRACE", "errnoRet": 7, "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["getpid"], "action": "SCMP_ACT_KILL_PROCESS"},
                  {"names": ["gettid"], "action": "SCMP_ACT_ERRNO"}
                ]}""".formatted(WIDE);
        agreesWithReference(profile, arch, interestingArguments(WIDE, 3, 9, 4294967296L, 0xff00_0000_0000_00ffL,
                0x1200_0000_0000_0034L));
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void theMostRestrictiveMatchingRuleWins(Architecture arch) {
        String profile = """
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
                  {"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["read"], "action": "SCMP_ACT_KILL_PROCESS", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]}
                ]}""";
        ClassicBpf bpf = compile(profile, arch);
        int read = SyscallTable.of(arch).require("read");
        assertThat(new Action(bpf.run(read, arch.auditArch(), 0))).hasToString("ALLOW");
        assertThat(new Action(bpf.run(read, arch.auditArch(), 1))).hasToString("ERRNO(13)");
        assertThat(new Action(bpf.run(read, arch.auditArch(), 2))).hasToString("KILL_PROCESS");
        assertThat(new Action(bpf.run(SyscallTable.of(arch).require("mount"), arch.auditArch()))).as("deny-list default")
                .hasToString("ALLOW");
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void longProgramsJumpFarThroughBpfJa(Architecture arch) {
        // One call with 100 five-check rules (over 2000 instructions) sits between the others in the
        // search tree, so the tree must jump over it: far beyond an 8-bit offset.
        StringJoiner rules = new StringJoiner(",\n");
        for (int i = 0; i < 100; i++) {
            rules.add("""
                    {"names": ["openat"], "action": "SCMP_ACT_ERRNO", "errnoRet": %d, "args": [
                      {"index": 0, "value": %d, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 1, "op": "SCMP_CMP_EQ"},
                      {"index": 2, "value": 2, "op": "SCMP_CMP_EQ"}, {"index": 3, "value": 3, "op": "SCMP_CMP_EQ"},
                      {"index": 4, "value": 4, "op": "SCMP_CMP_EQ"}]}""".formatted(i + 1, i));
        }
        rules.add("""
                {"names": ["read", "write", "close", "exit_group", "getpid", "futex", "execve", "socket", "mmap"],
                 "action": "SCMP_ACT_ALLOW"}""");
        String profile = "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": [" + rules + "]}";
        ClassicBpf bpf = compile(profile, arch);
        assertThat(bpf.length()).isGreaterThan(2000);
        assertThat(containsJa(compileBytes(profile, arch))).as("some jumps went through BPF_JA").isTrue();

        int openat = SyscallTable.of(arch).require("openat");
        for (int i = 0; i < 100; i += 11) {
            assertThat(new Action(bpf.run(openat, arch.auditArch(), i, 1, 2, 3, 4))).hasToString("ERRNO(" + (i + 1) + ")");
        }
        assertThat(new Action(bpf.run(openat, arch.auditArch(), 99, 1, 2, 3, 5))).hasToString("KILL_PROCESS");
        List<long[]> arguments = new ArrayList<>(interestingArguments(0, 1, 2, 3, 4, 99));
        arguments.add(new long[]{42, 1, 2, 3, 4, 0});
        agreesWithReference(profile, arch, arguments);
    }

    @Test
    void aProgramOverTheKernelLimitIsRefusedWithTheReason() {
        StringJoiner rules = new StringJoiner(",");
        for (int i = 0; i < 200; i++) {
            rules.add(("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
                    + "{\"index\": 0, \"value\": %d, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 1, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"},"
                    + "{\"index\": 2, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 3, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"},"
                    + "{\"index\": 4, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 5, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}")
                    .formatted(i));
        }
        String profile = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [" + rules + "]}";
        assertThatThrownBy(() -> SeccompFilters.compile(SeccompProfiles.of(profile), Architecture.X86_64, NO_CAPS, KERNEL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BPF instructions for x86_64, more than the kernel's limit of 4096")
                .hasMessageContaining("merge argument rules or allow whole calls instead");
    }

    @Test
    void theAssemblerWidensOnlyJumpsThatNeedIt() {
        BpfAssembler asm = new BpfAssembler();
        BpfAssembler.Label far = asm.label();
        BpfAssembler.Label near = asm.label();
        asm.load(FilterEmitter.NR_OFFSET);
        asm.jump(BpfAssembler.JEQ_K, 7, far, null);
        asm.jump(BpfAssembler.JEQ_K, 8, near, null);
        for (int i = 0; i < 300; i++) {
            asm.ret(i);
            if (i == 10) {
                asm.bind(near);
            }
        }
        asm.bind(far);
        asm.ret(-7);
        ClassicBpf bpf = ClassicBpf.load(asm.assemble());
        assertThat(bpf.length()).as("one jump widened by two instructions").isEqualTo(1 + 3 + 1 + 300 + 1);
        assertThat(bpf.run(7, 0)).isEqualTo(-7);
        assertThat(bpf.run(8, 0)).isEqualTo(11);
        assertThat(bpf.run(9, 0)).isEqualTo(0);
    }

    @Test
    void anUnboundLabelIsAnError() {
        BpfAssembler asm = new BpfAssembler();
        asm.load(0);
        asm.jump(BpfAssembler.JEQ_K, 1, asm.label(), null);
        asm.ret(0);
        assertThatThrownBy(asm::assemble).isInstanceOf(IllegalStateException.class).hasMessageContaining("never bound");
    }

    @Test
    void syscallTablesHoldTheKernelsNumbers() {
        SyscallTable x86 = SyscallTable.of(Architecture.X86_64);
        assertThat(List.of(x86.require("read"), x86.require("write"), x86.require("clone"), x86.require("execve"),
                x86.require("socket"), x86.require("keyctl"), x86.require("unshare"), x86.require("seccomp"),
                x86.require("clone3"), x86.require("fchmodat2"), x86.require("uretprobe")))
                .containsExactly(0, 1, 56, 59, 41, 250, 272, 317, 435, 452, 335);
        SyscallTable arm = SyscallTable.of(Architecture.AARCH64);
        assertThat(List.of(arm.require("read"), arm.require("write"), arm.require("clone"), arm.require("execve"),
                arm.require("socket"), arm.require("keyctl"), arm.require("unshare"), arm.require("seccomp"),
                arm.require("clone3"), arm.require("fchmodat2"), arm.require("fstat"), arm.require("newfstatat")))
                .containsExactly(63, 64, 220, 221, 198, 219, 97, 277, 435, 452, 80, 79);
        assertThat(arm.number("open")).as("asm-generic has openat only").isEmpty();
        assertThat(arm.number("uretprobe")).isEmpty();
        assertThat(x86.size()).isGreaterThan(370);
        assertThat(arm.size()).isGreaterThan(310);
    }

    @Test
    void kernelVersionsReadFromUnameAndProfiles() {
        assertThat(KernelVersion.parse("6.18.44-fc-v657")).isEqualTo(new KernelVersion(6, 18));
        assertThat(KernelVersion.parse("4.8")).isEqualTo(new KernelVersion(4, 8));
        assertThat(KernelVersion.parse("5")).isEqualTo(new KernelVersion(5, 0));
        assertThat(new KernelVersion(4, 10).isAtLeast(new KernelVersion(4, 8))).isTrue();
        assertThat(new KernelVersion(4, 4).isAtLeast(new KernelVersion(4, 8))).isFalse();
        assertThat(KernelVersion.running().major()).isGreaterThanOrEqualTo(3);
        assertThatThrownBy(() -> KernelVersion.parse("linux")).hasMessageContaining("write it as major.minor");
    }

    static void agreesWithReference(String json, Architecture arch, List<long[]> arguments) {
        Profile profile = ProfileReader.read("test profile", json);
        ClassicBpf bpf = compile(json, arch);
        for (int nr = -1; nr < 500; nr++) {
            for (long[] args : arguments) {
                int expected = ReferenceSemantics.expected(profile, arch, NO_CAPS, KERNEL, arch.auditArch(), nr, args);
                assertThat(new Action(bpf.run(nr, arch.auditArch(), args)))
                        .as("%s nr %d args %s", arch, nr, Arrays.toString(args)).isEqualTo(new Action(expected));
            }
        }
    }

    /** Each value, one below and above it, in every argument slot, with the high word varied too; and random ones. */
    static List<long[]> interestingArguments(long... values) {
        List<Long> candidates = new ArrayList<>(List.of(0L, -1L, 0xffffffffL, 1L << 32));
        for (long value : values) {
            for (long delta : new long[]{-1, 0, 1, 1L << 32, -(1L << 32)}) {
                candidates.add(value + delta);
            }
            candidates.add(value & 0xffffffffL);
        }
        List<long[]> vectors = new ArrayList<>();
        for (long candidate : candidates) {
            vectors.add(new long[]{candidate, candidate, candidate, candidate, candidate, candidate});
        }
        Random random = new Random(7);
        for (int i = 0; i < 40; i++) {
            long[] args = new long[6];
            for (int j = 0; j < 6; j++) {
                args[j] = candidates.get(random.nextInt(candidates.size()));
            }
            vectors.add(args);
        }
        return vectors;
    }

    static ClassicBpf compile(String json, Architecture arch) {
        return ClassicBpf.load(compileBytes(json, arch));
    }

    static byte[] compileBytes(String json, Architecture arch) {
        return SeccompFilters.compile(SeccompProfiles.of(json), arch, NO_CAPS, KERNEL).orElseThrow();
    }

    static boolean containsJa(byte[] program) {
        for (int i = 0; i < program.length; i += BpfAssembler.INSTRUCTION_BYTES) {
            if (program[i] == BpfAssembler.JA && program[i + 1] == 0) {
                return true;
            }
        }
        return false;
    }
}
