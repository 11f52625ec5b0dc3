package dev.containerized.container.confine;

import dev.containerized.internal.linux.Architecture;
import dev.containerized.container.confine.BpfAssembler.Label;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.containerized.container.confine.BpfAssembler.JEQ_K;
import static dev.containerized.container.confine.BpfAssembler.JGE_K;
import static dev.containerized.container.confine.BpfAssembler.JGT_K;
import static dev.containerized.container.confine.BpfAssembler.JSET_K;

/**
 * Turns a {@link FilterPlan} into classic BPF over struct seccomp_data. The program:
 * <ol>
 * <li>kills the process unless {@code arch} is the plan's architecture: a 64-bit process can still
 * make i386 ({@code int 0x80}) or arm32 calls, with other numbers, which the rules would misjudge;
 * <li>on x86_64, kills x32 calls too (number with bit 30 set: same arch value, other numbering),
 * except -1, which a tracer writes to skip a call;
 * <li>finds the call number by binary search over ranges of numbers that share one answer, so
 * about log2(ranges) comparisons decide a call and the program stays a few hundred instructions;
 * <li>for calls with argument rules, tries the rules in the plan's order and returns the action of
 * the first whose checks all hold, else the default action.
 * </ol>
 */
final class FilterEmitter {
    // struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6];
    static final int NR_OFFSET = 0;
    static final int ARCH_OFFSET = 4;
    static final int ARGS_OFFSET = 16;
    /** __X32_SYSCALL_BIT: x32 calls are x86_64 calls with this bit set in the number. */
    static final int X32_SYSCALL_BIT = 0x40000000;
    /** The number a tracer writes to skip a call; the kernel runs nothing for it. */
    static final int SKIPPED_CALL = -1;

    /** A range of call numbers starting at {@code first} (up to the next segment's first). */
    private record Segment(int first, Outcome outcome) {
    }

    /** Either a fixed answer, or rules to try (for one call number). */
    private record Outcome(Action fixed, List<FilterPlan.Rule> rules) {
        static Outcome of(Action fixed) {
            return new Outcome(fixed, List.of());
        }
    }

    private final FilterPlan plan;
    private final BpfAssembler asm = new BpfAssembler();

    private FilterEmitter(FilterPlan plan) {
        this.plan = plan;
    }

    static byte[] emit(FilterPlan plan) {
        return new FilterEmitter(plan).program();
    }

    private byte[] program() {
        Label kill = asm.label();
        asm.load(ARCH_OFFSET);
        asm.jump(JEQ_K, plan.arch().auditArch(), null, kill);
        asm.load(NR_OFFSET);
        Label search = asm.label();
        if (plan.arch() == Architecture.X86_64) {
            // -1 has bit 30 set too, but it is a tracer skipping the call, not x32 (libseccomp spares it too).
            asm.jump(JSET_K, X32_SYSCALL_BIT, null, search);
            asm.jump(JEQ_K, SKIPPED_CALL, search, kill);
        }
        asm.bind(search);
        List<Segment> segments = segments();
        search(segments, 0, segments.size());
        asm.bind(kill);
        asm.ret(Action.KILL_PROCESS.returnValue());
        return asm.assemble();
    }

    /**
     * The whole unsigned 32-bit number space cut into segments: each call with rules alone, calls
     * with one fixed answer merged with their neighbours when the answer is the same, and the gaps
     * between them answered by the default action.
     */
    private List<Segment> segments() {
        List<Segment> segments = new ArrayList<>();
        long next = 0;
        for (Map.Entry<Integer, List<FilterPlan.Rule>> call : plan.calls().entrySet()) {
            int number = call.getKey();
            if (number > next) {
                add(segments, new Segment((int) next, Outcome.of(plan.defaultAction())));
            }
            List<FilterPlan.Rule> rules = call.getValue();
            boolean fixed = rules.size() == 1 && rules.get(0).unconditional();
            add(segments, new Segment(number, fixed ? Outcome.of(rules.get(0).action()) : new Outcome(null, rules)));
            next = number + 1L;
        }
        if (next <= 0xFFFF_FFFFL) {
            add(segments, new Segment((int) next, Outcome.of(plan.defaultAction())));
        }
        return segments;
    }

    private static void add(List<Segment> segments, Segment segment) {
        if (!segments.isEmpty()) {
            Outcome last = segments.get(segments.size() - 1).outcome();
            if (last.fixed() != null && last.fixed().equals(segment.outcome().fixed())) {
                return; // the previous range simply extends
            }
        }
        segments.add(segment);
    }

    /** A holds the call number. Emits a balanced tree of "number >= first of the middle segment?". */
    private void search(List<Segment> segments, int from, int to) {
        if (to - from == 1) {
            answer(segments.get(from).outcome());
            return;
        }
        int middle = (from + to) >>> 1;
        Label upper = asm.label();
        asm.jump(JGE_K, segments.get(middle).first(), upper, null);
        search(segments, from, middle);
        asm.bind(upper);
        search(segments, middle, to);
    }

    private void answer(Outcome outcome) {
        if (outcome.fixed() != null) {
            asm.ret(outcome.fixed().returnValue());
            return;
        }
        for (FilterPlan.Rule rule : outcome.rules()) {
            Label nextRule = asm.label();
            for (ArgCheck check : rule.checks()) {
                emitCheck(check, nextRule);
            }
            asm.ret(rule.action().returnValue());
            asm.bind(nextRule);
        }
        asm.ret(plan.defaultAction().returnValue());
    }

    /**
     * Falls through when the check holds, jumps to {@code fail} when not. BPF compares 32 bits at a
     * time, so each check looks at the high word first and the low word only when the high words
     * tie (for the orderings) or match (for equality); both x86_64 and aarch64 are little-endian, so
     * the low word of args[i] comes first in seccomp_data.
     */
    private void emitCheck(ArgCheck check, Label fail) {
        int low = ARGS_OFFSET + 8 * check.index();
        int high = low + 4;
        int valueLow = (int) check.value();
        int valueHigh = (int) (check.value() >>> 32);
        Label pass = asm.label();
        switch (check.op()) {
            case EQ -> {
                asm.load(high);
                asm.jump(JEQ_K, valueHigh, null, fail);
                asm.load(low);
                asm.jump(JEQ_K, valueLow, null, fail);
            }
            case NE -> {
                asm.load(high);
                asm.jump(JEQ_K, valueHigh, null, pass);
                asm.load(low);
                asm.jump(JEQ_K, valueLow, fail, null);
            }
            case GT, GE -> {
                asm.load(high);
                asm.jump(JGT_K, valueHigh, pass, null);
                asm.jump(JEQ_K, valueHigh, null, fail);
                asm.load(low);
                asm.jump(check.op() == CompareOp.GT ? JGT_K : JGE_K, valueLow, null, fail);
            }
            case LT, LE -> { // the negations of GE and GT
                asm.load(high);
                asm.jump(JGT_K, valueHigh, fail, null);
                asm.jump(JEQ_K, valueHigh, null, pass);
                asm.load(low);
                asm.jump(check.op() == CompareOp.LT ? JGE_K : JGT_K, valueLow, fail, null);
            }
            case MASKED_EQ -> {
                long datum = check.valueTwo();
                asm.load(high);
                asm.and(valueHigh);
                asm.jump(JEQ_K, (int) (datum >>> 32), null, fail);
                asm.load(low);
                asm.and(valueLow);
                asm.jump(JEQ_K, (int) datum, null, fail);
            }
        }
        asm.bind(pass);
    }
}
