package dev.containerized.container.confine;

import dev.containerized.container.Seccomp;
import dev.containerized.internal.linux.Architecture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How every command of a container is confined, in one place: Docker's default capability set
 * (effective, permitted and bounding; inheritable and ambient empty), no_new_privs, and a seccomp
 * filter. PID 1 applies it in each command's process just before execve, and to itself before it
 * becomes the command of a PID-1 run.
 *
 * @param capabilities the capability bits commands keep
 * @param lastCap      the highest capability this kernel knows: PID 1 drops every other one up to it
 *                     from the bounding set
 * @param seccomp      a classic BPF program (struct sock_filter[], native order), empty for none
 */
public record Confinement(long capabilities, int lastCap, byte[] seccomp) {
    /** CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, NET_BIND_SERVICE, NET_RAW, SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP. */
    public static final List<Integer> DOCKER_CAPABILITIES = List.of(0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31);

    private static final int LAST_CAP = readLastCap();
    private static final Map<Seccomp, byte[]> COMPILED = new ConcurrentHashMap<>();

    /** Docker's capabilities and {@code seccomp}'s filter, compiled once per JVM (the default one by the build). */
    public static Confinement docker(Seccomp seccomp) {
        byte[] filter = COMPILED.computeIfAbsent(seccomp, Confinement::filter);
        return new Confinement(capabilityMask(DOCKER_CAPABILITIES), LAST_CAP, filter);
    }

    /** The filter for {@code seccomp} here, the build's for Docker's default where it holds. */
    static byte[] filter(Seccomp seccomp) {
        Architecture arch = Architecture.current();
        KernelVersion kernel = KernelVersion.running();
        Optional<byte[]> built = seccomp.equals(Seccomp.DEFAULT) ? PrecompiledFilters.dockerDefault(arch, kernel) : Optional.empty();
        return built.or(() -> SeccompFilters.compile(seccomp, arch, Set.copyOf(DOCKER_CAPABILITIES), kernel)).orElse(new byte[0]);
    }

    static long capabilityMask(List<Integer> capabilities) {
        long mask = 0;
        for (int cap : capabilities) {
            mask |= 1L << cap;
        }
        return mask;
    }

    /** The highest capability number this kernel knows, from /proc/sys/kernel/cap_last_cap. */
    static int readLastCap() {
        // One read(2) with room to spare: a sysctl file answers a read at a non-zero offset with end of
        // file, so Files.readString (which probes with a 1-byte read first) would see "4" of "40".
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys/kernel/cap_last_cap"))) {
            byte[] buffer = new byte[32];
            int n = in.read(buffer);
            return Integer.parseInt(new String(buffer, 0, Math.max(n, 0), StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 63;
        }
    }
}
