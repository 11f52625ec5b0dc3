package dev.containerized.container.confine;

import dev.containerized.internal.linux.Architecture;
import java.util.Set;

/**
 * What a profile means for one call, computed straight from the model with no BPF in between:
 * the filter's answer must equal this for every call, argument and architecture a test tries.
 */
final class ReferenceSemantics {
    private ReferenceSemantics() {
    }

    static int expected(Profile profile, Architecture arch, Set<Integer> caps, KernelVersion kernel,
                        int auditArch, int nr, long... args) {
        if (auditArch != arch.auditArch()) {
            return Action.RET_KILL_PROCESS;
        }
        if (arch == Architecture.X86_64 && (nr & FilterEmitter.X32_SYSCALL_BIT) != 0 && nr != -1) {
            return Action.RET_KILL_PROCESS;
        }
        long[] all = new long[ArgCheck.MAX_ARGS];
        System.arraycopy(args, 0, all, 0, args.length);
        SyscallTable table = SyscallTable.of(arch);
        Action answer = null;
        for (SyscallRule rule : profile.rules()) {
            boolean names = rule.names().stream().anyMatch(name -> table.number(name).orElse(-2) == nr);
            if (names && rule.appliesTo(arch, caps, kernel) && rule.checks().stream().allMatch(c -> c.holds(all))
                    && (answer == null || rule.action().precedence() < answer.precedence())) {
                answer = rule.action();
            }
        }
        return (answer == null ? profile.defaultAction() : answer).returnValue();
    }
}
