package dev.containerized.container.confine;

import dev.containerized.internal.linux.Architecture;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The compiler's intermediate form: for one architecture, capability set and kernel, each system
 * call number that does not simply get the default action, with the rules the filter tries for
 * it, in order. Everything profile-shaped (names, includes, excludes) is resolved here, so the
 * emitter only sees numbers, checks and actions.
 */
record FilterPlan(Architecture arch, Action defaultAction, SortedMap<Integer, List<Rule>> calls) {
    /** A rule for one call: when every check holds, answer {@code action}. No checks: always. */
    record Rule(List<ArgCheck> checks, Action action) {
        Rule {
            checks = List.copyOf(checks);
        }

        boolean unconditional() {
            return checks.isEmpty();
        }
    }

    FilterPlan {
        calls = Collections.unmodifiableSortedMap(new TreeMap<>(calls));
    }

    static FilterPlan of(Profile profile, Architecture arch, Set<Integer> effectiveCaps, KernelVersion kernel) {
        SyscallTable table = SyscallTable.of(arch);
        Map<Integer, List<Rule>> byNumber = new TreeMap<>();
        for (SyscallRule rule : profile.rules()) {
            if (!rule.appliesTo(arch, effectiveCaps, kernel)) {
                continue;
            }
            for (String name : rule.names()) {
                // A name this architecture lacks is skipped, as libseccomp does.
                table.number(name).ifPresent(number -> byNumber.computeIfAbsent(number, n -> new ArrayList<>())
                        .add(new Rule(rule.checks(), rule.action())));
            }
        }
        SortedMap<Integer, List<Rule>> calls = new TreeMap<>();
        byNumber.forEach((number, rules) -> {
            List<Rule> ordered = order(rules, profile.defaultAction());
            if (!ordered.isEmpty()) {
                calls.put(number, ordered);
            }
        });
        return new FilterPlan(arch, profile.defaultAction(), calls);
    }

    /**
     * The order the filter tries one call's rules in: most restrictive action first, so when several
     * match the strictest answers (ties keep profile order). Rules that can never decide anything
     * are dropped: those after an unconditional rule, and trailing ones that answer the default.
     */
    static List<Rule> order(List<Rule> rules, Action defaultAction) {
        List<Rule> ordered = new ArrayList<>(rules);
        ordered.sort(Comparator.comparingInt(rule -> rule.action().precedence()));
        for (int i = 0; i < ordered.size(); i++) {
            if (ordered.get(i).unconditional()) {
                ordered = new ArrayList<>(ordered.subList(0, i + 1));
                break;
            }
        }
        while (!ordered.isEmpty() && ordered.get(ordered.size() - 1).action().equals(defaultAction)) {
            ordered.remove(ordered.size() - 1);
        }
        return List.copyOf(ordered);
    }
}
