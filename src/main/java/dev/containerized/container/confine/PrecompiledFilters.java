package dev.containerized.container.confine;

import dev.containerized.container.Seccomp;
import dev.containerized.internal.linux.Architecture;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Docker's default profile compiled by the build, once for each architecture, for the commands' Docker
 * capabilities. Compiling it at run time is about 40 ms of CPU in a JVM's first container (the JSON, the
 * syscall tables and the compiler all run interpreted), which is most of what separates a cold start
 * from a warm one after JNA; every container of the default profile can use these bytes instead.
 * <p>
 * A filter compiled for the profile's newest {@code minKernel} is the filter of every later kernel too
 * (each such rule is in), so a resource holds for kernels from that version on; each resource starts
 * with a line naming it ({@code "minKernel 4.8\n"}), then the program's bytes. Older kernels, and a
 * classpath without the resources (the classes compiled by an IDE rather than Maven), compile at run
 * time as before. The build runs {@link #main} right after compiling the classes; a test checks that
 * what it wrote is what the compiler makes.
 */
public final class PrecompiledFilters {
    private static final String HEADER_KEY = "minKernel ";

    private PrecompiledFilters() {
    }

    /** The default profile's filter for {@code arch} on {@code kernel}, if the build made one that fits. */
    static Optional<byte[]> dockerDefault(Architecture arch, KernelVersion kernel) {
        try (InputStream in = PrecompiledFilters.class.getResourceAsStream(resourceName(arch))) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] file = in.readAllBytes();
            int newline = indexOf(file, (byte) '\n');
            String header = new String(file, 0, Math.max(newline, 0), StandardCharsets.US_ASCII);
            if (newline < 0 || !header.startsWith(HEADER_KEY)) {
                return Optional.empty();
            }
            KernelVersion builtFor = KernelVersion.parse(header.substring(HEADER_KEY.length()));
            return kernel.isAtLeast(builtFor) ? Optional.of(Arrays.copyOfRange(file, newline + 1, file.length)) : Optional.empty();
        } catch (IOException | IllegalArgumentException unreadable) {
            return Optional.empty();
        }
    }

    /** The kernel version from which one compilation of {@code profile} holds: its newest {@code minKernel}. */
    static KernelVersion newestMinKernel(Profile profile) {
        return profile.rules().stream()
                .flatMap(rule -> Stream.of(rule.includes().minKernel(), rule.excludes().minKernel()))
                .flatMap(Optional::stream)
                .max(Comparator.naturalOrder())
                .orElse(new KernelVersion(0, 0));
    }

    /** Compiles the default profile for each architecture into {@code args[0]}, a classes directory. */
    public static void main(String[] args) {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: PrecompiledFilters CLASSES_DIRECTORY");
        }
        Path classes = Path.of(args[0]);
        KernelVersion kernel = newestMinKernel(ProfileReader.read("Docker's default seccomp profile",
                Seccomp.DEFAULT.profileJson().orElseThrow()));
        for (Architecture arch : Architecture.values()) {
            byte[] program = SeccompFilters.compile(Seccomp.DEFAULT, arch, Set.copyOf(Confinement.DOCKER_CAPABILITIES), kernel)
                    .orElseThrow();
            byte[] header = (HEADER_KEY + kernel + "\n").getBytes(StandardCharsets.US_ASCII);
            byte[] file = Arrays.copyOf(header, header.length + program.length);
            System.arraycopy(program, 0, file, header.length, program.length);
            Path target = classes.resolve(PrecompiledFilters.class.getPackageName().replace('.', '/')).resolve(resourceName(arch));
            try {
                Files.write(target, file);
            } catch (IOException e) {
                throw new UncheckedIOException("writing " + target, e);
            }
        }
    }

    static String resourceName(Architecture arch) {
        return "docker-default-" + Objects.requireNonNull(arch).machine() + ".bpf";
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
