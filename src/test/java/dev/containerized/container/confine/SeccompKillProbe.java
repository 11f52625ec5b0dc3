package dev.containerized.container.confine;

import dev.containerized.internal.linux.Architecture;
import dev.containerized.container.Seccomp;
import dev.containerized.container.confine.Confinement;

import java.util.Set;

/**
 * Run in a child JVM by {@link SeccompKernelTests}: installs Docker's default filter on its main
 * thread, says so, then makes an x32 call (getpid with bit 30 set). The filter must kill the whole
 * process with SIGSYS before the call returns.
 */
public final class SeccompKillProbe {
    static final String FILTERED = "filtered";
    static final String SURVIVED = "survived";

    private SeccompKillProbe() {
    }

    public static void main(String[] args) {
        Architecture arch = Architecture.current();
        SyscallTable table = SyscallTable.of(arch);
        byte[] program = SeccompFilters.compile(Seccomp.DEFAULT, arch, Set.copyOf(Confinement.DOCKER_CAPABILITIES),
                KernelVersion.running()).orElseThrow();
        int x32GetPid = FilterEmitter.X32_SYSCALL_BIT | table.require("getpid");
        SeccompKernelTests.Kernel kernel = SeccompKernelTests.Kernel.C;
        SeccompKernelTests.install(program, table);
        System.out.println(FILTERED);
        System.out.flush();
        try {
            kernel.syscall(x32GetPid);
        } catch (RuntimeException e) {
            System.out.println(e);
        }
        System.out.println(SURVIVED);
        System.exit(3);
    }
}
