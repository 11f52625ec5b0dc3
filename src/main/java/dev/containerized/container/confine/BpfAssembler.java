package dev.containerized.container.confine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a classic BPF program (struct sock_filter[]) from instructions whose jumps name labels.
 * <p>
 * Why labels: a conditional jump's offsets are 8 bits, so no target may lie more than 255
 * instructions ahead, yet where a target lies is only known once everything before it is written.
 * {@link #assemble()} therefore lays the program out, turns every conditional jump that reaches too
 * far into {@code jxx k,0,1; ja true; ja false} (BPF_JA has a 32-bit offset), and repeats until
 * nothing moves. Jumps only go forward, as the kernel requires, so labels are bound after use.
 */
final class BpfAssembler {
    // linux/filter.h and linux/bpf_common.h
    static final int LD_W_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS
    static final int ALU_AND_K = 0x54; // BPF_ALU | BPF_AND | BPF_K
    static final int JA = 0x05; // BPF_JMP | BPF_JA
    static final int JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    static final int JGT_K = 0x25; // BPF_JMP | BPF_JGT | BPF_K
    static final int JGE_K = 0x35; // BPF_JMP | BPF_JGE | BPF_K
    static final int JSET_K = 0x45; // BPF_JMP | BPF_JSET | BPF_K
    static final int RET_K = 0x06; // BPF_RET | BPF_K
    static final int INSTRUCTION_BYTES = 8;
    private static final int MAX_SHORT_JUMP = 255;

    /** A place in the program; {@code null} where a label is expected means "the next instruction". */
    static final class Label {
        private int position = -1;
    }

    private sealed interface Item permits Statement, Jump, Bind {
    }

    private record Statement(int code, int k) implements Item {
    }

    private record Bind(Label label) implements Item {
    }

    private static final class Jump implements Item {
        final int code;
        final int k;
        final Label ifTrue;
        final Label ifFalse;
        boolean far;
        int position;

        Jump(int code, int k, Label ifTrue, Label ifFalse) {
            this.code = code;
            this.k = k;
            this.ifTrue = ifTrue;
            this.ifFalse = ifFalse;
        }

        int size() {
            return far ? 3 : 1;
        }

        /** Where "the next instruction" is for this jump. */
        int end() {
            return position + size();
        }

        int target(Label label) {
            return label == null ? end() : label.position;
        }
    }

    private final List<Item> items = new ArrayList<>();

    Label label() {
        return new Label();
    }

    void bind(Label label) {
        items.add(new Bind(label));
    }

    /** A = the 32-bit word at {@code offset} in seccomp_data. */
    void load(int offset) {
        items.add(new Statement(LD_W_ABS, offset));
    }

    void and(int mask) {
        items.add(new Statement(ALU_AND_K, mask));
    }

    /** if (A op k) goto ifTrue else goto ifFalse; op is one of the *_K jumps. */
    void jump(int code, int k, Label ifTrue, Label ifFalse) {
        items.add(new Jump(code, k, ifTrue, ifFalse));
    }

    void ret(int value) {
        items.add(new Statement(RET_K, value));
    }

    /** The program as struct sock_filter[]: per instruction u16 code, u8 jt, u8 jf, u32 k, little-endian. */
    byte[] assemble() {
        int length = layOut();
        while (widenFarJumps()) {
            length = layOut();
        }
        ByteBuffer out = ByteBuffer.allocate(length * INSTRUCTION_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (Item item : items) {
            if (item instanceof Statement s) {
                put(out, s.code, 0, 0, s.k);
            } else if (item instanceof Jump j) {
                emit(out, j);
            }
        }
        return out.array();
    }

    private int layOut() {
        int position = 0;
        for (Item item : items) {
            if (item instanceof Bind b) {
                b.label.position = position;
            } else if (item instanceof Jump j) {
                j.position = position;
                position += j.size();
            } else {
                position++;
            }
        }
        return position;
    }

    /** Marks the jumps that cannot reach their targets in 8 bits; true when any changed. */
    private boolean widenFarJumps() {
        boolean changed = false;
        for (Item item : items) {
            if (item instanceof Jump j && !j.far) {
                if (offset(j, j.target(j.ifTrue)) > MAX_SHORT_JUMP || offset(j, j.target(j.ifFalse)) > MAX_SHORT_JUMP) {
                    j.far = true;
                    changed = true;
                }
            }
        }
        return changed;
    }

    private void emit(ByteBuffer out, Jump j) {
        int ifTrue = j.target(j.ifTrue);
        int ifFalse = j.target(j.ifFalse);
        if (!j.far) {
            put(out, j.code, offset(j, ifTrue), offset(j, ifFalse), j.k);
            return;
        }
        offset(j, ifTrue);
        offset(j, ifFalse);
        put(out, j.code, 0, 1, j.k);
        put(out, JA, 0, 0, ifTrue - (j.position + 2));
        put(out, JA, 0, 0, ifFalse - (j.position + 3));
    }

    private static int offset(Jump j, int target) {
        if (target < 0) {
            throw new IllegalStateException("a jump at instruction " + j.position + " names a label that was never bound");
        }
        int offset = target - (j.position + 1);
        if (offset < 0) {
            throw new IllegalStateException("a jump at instruction " + j.position + " goes backwards; classic BPF cannot");
        }
        return offset;
    }

    private static void put(ByteBuffer out, int code, int jt, int jf, int k) {
        out.putShort((short) code).put((byte) jt).put((byte) jf).putInt(k);
    }
}
