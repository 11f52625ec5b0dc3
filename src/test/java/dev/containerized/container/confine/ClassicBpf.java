package dev.containerized.container.confine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A small classic-BPF interpreter over struct seccomp_data, for the instructions the compiler
 * emits, with the checks the kernel's bpf_check_classic and seccomp_check_filter make before it
 * accepts a filter: so a test can run a compiled program on any call, argument or architecture
 * without installing it.
 */
final class ClassicBpf {
    /** sizeof(struct seccomp_data): nr, arch, instruction_pointer, args[6]. */
    static final int SECCOMP_DATA_BYTES = 64;

    private final int[] code;
    private final int[] jt;
    private final int[] jf;
    private final int[] k;

    private ClassicBpf(byte[] program) {
        if (program.length == 0 || program.length % 8 != 0) {
            throw new AssertionError("a program is whole 8-byte instructions, not " + program.length + " bytes");
        }
        int n = program.length / 8;
        code = new int[n];
        jt = new int[n];
        jf = new int[n];
        k = new int[n];
        ByteBuffer in = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            code[i] = Short.toUnsignedInt(in.getShort());
            jt[i] = Byte.toUnsignedInt(in.get());
            jf[i] = Byte.toUnsignedInt(in.get());
            k[i] = in.getInt();
        }
    }

    /** Decodes and checks a program as the kernel would before accepting it. */
    static ClassicBpf load(byte[] program) {
        ClassicBpf bpf = new ClassicBpf(program);
        bpf.verify();
        return bpf;
    }

    int length() {
        return code.length;
    }

    /** Runs the filter: the SECCOMP_RET_* value it returns for this call. */
    int run(int nr, int arch, long... args) {
        ByteBuffer data = ByteBuffer.allocate(SECCOMP_DATA_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr).putInt(4, arch).putLong(8, 0x7f00_dead_beefL);
        for (int i = 0; i < args.length; i++) {
            data.putLong(16 + 8 * i, args[i]);
        }
        int a = 0;
        int pc = 0;
        while (true) {
            int op = code[pc];
            switch (op) {
                case BpfAssembler.LD_W_ABS -> a = data.getInt(k[pc]);
                case BpfAssembler.ALU_AND_K -> a &= k[pc];
                case BpfAssembler.JA -> pc += k[pc];
                case BpfAssembler.JEQ_K -> pc += a == k[pc] ? jt[pc] : jf[pc];
                case BpfAssembler.JGT_K -> pc += Integer.compareUnsigned(a, k[pc]) > 0 ? jt[pc] : jf[pc];
                case BpfAssembler.JGE_K -> pc += Integer.compareUnsigned(a, k[pc]) >= 0 ? jt[pc] : jf[pc];
                case BpfAssembler.JSET_K -> pc += (a & k[pc]) != 0 ? jt[pc] : jf[pc];
                case BpfAssembler.RET_K -> {
                    return k[pc];
                }
                default -> throw new AssertionError("opcode 0x" + Integer.toHexString(op) + " at " + pc);
            }
            pc++;
        }
    }

    private void verify() {
        int n = code.length;
        if (n > SeccompFilters.MAX_INSTRUCTIONS) {
            throw new AssertionError(n + " instructions, more than BPF_MAXINSNS");
        }
        for (int pc = 0; pc < n; pc++) {
            switch (code[pc]) {
                case BpfAssembler.LD_W_ABS -> {
                    if (k[pc] < 0 || k[pc] % 4 != 0 || k[pc] + 4 > SECCOMP_DATA_BYTES) {
                        throw new AssertionError("load at " + pc + " of offset " + k[pc] + " is outside seccomp_data or unaligned");
                    }
                }
                case BpfAssembler.ALU_AND_K, BpfAssembler.RET_K -> {
                }
                case BpfAssembler.JA -> inRange(pc, Integer.toUnsignedLong(k[pc]));
                case BpfAssembler.JEQ_K, BpfAssembler.JGT_K, BpfAssembler.JGE_K, BpfAssembler.JSET_K -> {
                    inRange(pc, jt[pc]);
                    inRange(pc, jf[pc]);
                }
                default -> throw new AssertionError("opcode 0x" + Integer.toHexString(code[pc]) + " at " + pc
                        + " is not one the seccomp compiler should emit");
            }
        }
        if (code[n - 1] != BpfAssembler.RET_K) {
            throw new AssertionError("the last instruction is not a return");
        }
    }

    private void inRange(int pc, long offset) {
        if (pc + 1 + offset >= code.length) {
            throw new AssertionError("jump at " + pc + " by " + offset + " leaves the program of " + code.length);
        }
    }
}
