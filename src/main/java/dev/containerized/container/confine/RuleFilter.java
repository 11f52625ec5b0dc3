package dev.containerized.container.confine;

import dev.containerized.internal.linux.Architecture;
import java.util.Optional;
import java.util.Set;

/**
 * A rule's {@code includes} or {@code excludes}: capabilities (by number), architectures (canonical
 * names, see {@link ArchitectureNames}) and a minimum kernel. Every part is optional.
 */
record RuleFilter(Set<Integer> caps, Set<String> arches, Optional<KernelVersion> minKernel) {
    static final RuleFilter NONE = new RuleFilter(Set.of(), Set.of(), Optional.empty());

    RuleFilter {
        caps = Set.copyOf(caps);
        arches = Set.copyOf(arches);
    }

    /** Docker's includes: every listed capability held, the architecture listed, the kernel new enough. */
    boolean admits(Architecture arch, Set<Integer> effectiveCaps, KernelVersion kernel) {
        return effectiveCaps.containsAll(caps)
                && (arches.isEmpty() || arches.stream().anyMatch(a -> ArchitectureNames.isNative(a, arch)))
                && minKernel.map(kernel::isAtLeast).orElse(true);
    }

    /** Docker's excludes: any listed capability held, the architecture listed, or the kernel new enough. */
    boolean rejects(Architecture arch, Set<Integer> effectiveCaps, KernelVersion kernel) {
        return caps.stream().anyMatch(effectiveCaps::contains)
                || arches.stream().anyMatch(a -> ArchitectureNames.isNative(a, arch))
                || minKernel.map(kernel::isAtLeast).orElse(false);
    }
}
