package dev.containerized.container.confine;

import dev.containerized.internal.linux.Architecture;
import java.util.List;
import java.util.Set;

/**
 * One entry of a profile's {@code syscalls}: for these names, when every argument check holds
 * (AND), answer with this action; {@code includes} and {@code excludes} decide whether the rule is
 * part of the filter at all for a given architecture, capability set and kernel.
 */
record SyscallRule(List<String> names, Action action, List<ArgCheck> checks, RuleFilter includes, RuleFilter excludes) {
    SyscallRule {
        names = List.copyOf(names);
        checks = List.copyOf(checks);
    }

    boolean appliesTo(Architecture arch, Set<Integer> effectiveCaps, KernelVersion kernel) {
        return includes.admits(arch, effectiveCaps, kernel) && !excludes.rejects(arch, effectiveCaps, kernel);
    }
}
