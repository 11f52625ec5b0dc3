package dev.containerized.container.confine;

import dev.containerized.internal.linux.Architecture;
import dev.containerized.container.Seccomp;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Compiles a {@link Seccomp} profile into the classic BPF program that PID 1 installs, with
 * {@code seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog)} after {@code PR_SET_NO_NEW_PRIVS}, in each
 * command's process just before execve.
 * <p>
 * The runtime calls {@link #compile}; {@link #validate} is there for {@link Seccomp#fromFile}.
 */
public final class SeccompFilters {
    /** BPF_MAXINSNS: the kernel refuses longer filters with EINVAL. */
    public static final int MAX_INSTRUCTIONS = 4096;
    /** Filters compiled in this JVM: for a test that Docker's default comes from the build instead. */
    private static final AtomicInteger COMPILATIONS = new AtomicInteger();

    private SeccompFilters() {
    }

    /**
     * The filter as the bytes of a {@code struct sock_filter[]} in the architecture's (little-endian)
     * byte order, 8 bytes an instruction: u16 code, u8 jt, u8 jf, u32 k. Pass its length / 8 as
     * {@code sock_fprog.len}.
     *
     * @param effectiveCapabilities capability numbers the commands keep, which turn the profile's
     *                              capability-conditioned rules on and off (Docker's defaults:
     *                              {@code Capabilities.DOCKER_DEFAULTS})
     * @param kernel                the running kernel, for rules with {@code minKernel}
     * @return empty for {@link Seccomp#UNCONFINED}: install no filter
     * @throws IllegalArgumentException if the profile compiles to more than {@value #MAX_INSTRUCTIONS} instructions
     */
    public static Optional<byte[]> compile(Seccomp seccomp, Architecture arch, Set<Integer> effectiveCapabilities,
                                           KernelVersion kernel) {
        Objects.requireNonNull(seccomp, "seccomp");
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(kernel, "kernel");
        Set<Integer> caps = Set.copyOf(effectiveCapabilities);
        Optional<String> json = seccomp.profileJson();
        if (json.isEmpty()) {
            return Optional.empty();
        }
        COMPILATIONS.incrementAndGet();
        Profile profile = seccomp.equals(Seccomp.DEFAULT) ? DockerDefault.PROFILE : ProfileReader.read(describe(seccomp), json.get());
        byte[] program = FilterEmitter.emit(FilterPlan.of(profile, arch, caps, kernel));
        int instructions = program.length / BpfAssembler.INSTRUCTION_BYTES;
        if (instructions > MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException(describe(seccomp) + " compiles to " + instructions + " BPF instructions for "
                    + arch.machine() + ", more than the kernel's limit of " + MAX_INSTRUCTIONS
                    + "; merge argument rules or allow whole calls instead");
        }
        return Optional.of(program);
    }

    /**
     * Reads a profile in Docker's JSON format and throws if it is not one this compiler accepts.
     *
     * @param source what the text is, for the message: "seccomp profile /etc/p.json"
     * @throws IllegalArgumentException naming the source, the field or JSON position, and the fix
     */
    public static void validate(String source, String json) {
        ProfileReader.read(source, json);
    }

    static int compilations() {
        return COMPILATIONS.get();
    }

    private static String describe(Seccomp seccomp) {
        return seccomp.equals(Seccomp.DEFAULT) ? "Docker's default seccomp profile" : "seccomp profile " + seccomp;
    }

    /** Parsed once per JVM: each compile of a filter from it starts here (Confinement keeps what it compiled). */
    private static final class DockerDefault {
        static final Profile PROFILE = ProfileReader.read("Docker's default seccomp profile",
                Seccomp.DEFAULT.profileJson().orElseThrow());
    }
}
