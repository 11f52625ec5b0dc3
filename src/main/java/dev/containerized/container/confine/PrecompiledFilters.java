package dev.containerized.container.confine;

import dev.containerized.container.Seccomp;
import dev.containerized.internal.linux.Architecture;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Docker's default profile compiled by the build, once for each architecture, for the commands' Docker
 * capabilities. Compiling it at run time is about 40 ms of CPU in a JVM's first container (the JSON, the
 * syscall tables and the compiler all run interpreted), most of what separated a cold start from a warm
 * one after JNA; every container of the default profile uses these bytes instead.
 * <p>
 * A filter compiled for the profile's newest {@code minKernel} is the filter of every later kernel too
 * (each such rule is in), so a resource holds for kernels from that version on. Its first line says so
 * and fingerprints what it was made from and what it holds:
 * {@code "minKernel 4.8 inputs 1a2b3c4d program 5e6f7a8b\n"}, then the program's bytes. A resource that
 * does not match (classes rebuilt by an IDE after a change to the profile or a syscall table, a damaged
 * file) is not used: the filter is compiled at run time, as for older kernels and for a classpath without
 * the resources. Only the compiler's own code is not fingerprinted; the build writes the resources
 * again each time, and {@code PrecompiledFiltersTests} compares them with a compilation.
 */
public final class PrecompiledFilters {
    private static final System.Logger LOG = System.getLogger(PrecompiledFilters.class.getName());
    /** Changes whenever the resources' format or meaning does. */
    private static final String FORMAT = "containerized seccomp filter 1";

    private PrecompiledFilters() {
    }

    /** The default profile's filter for {@code arch} on {@code kernel}, if the build made one that fits. */
    static Optional<byte[]> dockerDefault(Architecture arch, KernelVersion kernel) {
        try (InputStream in = PrecompiledFilters.class.getResourceAsStream(resourceName(arch))) {
            return in == null ? Optional.empty() : accept(in.readAllBytes(), arch, kernel);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The program in {@code file} if it was made for {@code arch} from today's inputs, is whole, and holds on {@code kernel}. */
    static Optional<byte[]> accept(byte[] file, Architecture arch, KernelVersion kernel) {
        int newline = indexOf(file, (byte) '\n');
        String[] header = new String(file, 0, Math.max(newline, 0), StandardCharsets.US_ASCII).split(" ");
        if (newline < 0 || header.length != 6 || !header[0].equals("minKernel") || !header[2].equals("inputs")
                || !header[4].equals("program") || !isVersion(header[1])) {
            return rejected(arch, "its first line is not the one this version writes");
        }
        byte[] program = Arrays.copyOfRange(file, newline + 1, file.length);
        if (!header[3].equals(inputsFingerprint(arch))) {
            return rejected(arch, "it was compiled from another profile, syscall table or capability set");
        }
        if (!header[5].equals(crc32(program)) || !isWholeProgram(program)) {
            return rejected(arch, "its program is damaged");
        }
        return kernel.isAtLeast(KernelVersion.parse(header[1])) ? Optional.of(program) : Optional.empty();
    }

    /** The kernel version from which one compilation of {@code profile} holds: its newest {@code minKernel}. */
    static KernelVersion newestMinKernel(Profile profile) {
        return profile.rules().stream()
                .flatMap(rule -> Stream.of(rule.includes().minKernel(), rule.excludes().minKernel()))
                .flatMap(Optional::stream)
                .max(Comparator.naturalOrder())
                .orElse(new KernelVersion(0, 0));
    }

    /** The resource for {@code arch}: the header, then the program compiled for kernels from {@code kernel} on. */
    static byte[] file(Architecture arch, KernelVersion kernel, byte[] program) {
        byte[] header = ("minKernel " + kernel + " inputs " + inputsFingerprint(arch) + " program " + crc32(program) + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] file = Arrays.copyOf(header, header.length + program.length);
        System.arraycopy(program, 0, file, header.length, program.length);
        return file;
    }

    /** Compiles the default profile for each architecture into {@code args[0]}, a classes directory. */
    public static void main(String[] args) {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: PrecompiledFilters CLASSES_DIRECTORY");
        }
        Path directory = Path.of(args[0]).resolve(PrecompiledFilters.class.getPackageName().replace('.', '/'));
        KernelVersion kernel = newestMinKernel(ProfileReader.read("Docker's default seccomp profile",
                Seccomp.DEFAULT.profileJson().orElseThrow()));
        for (Architecture arch : Architecture.values()) {
            byte[] program = SeccompFilters.compile(Seccomp.DEFAULT, arch, Set.copyOf(Confinement.DOCKER_CAPABILITIES), kernel)
                    .orElseThrow();
            Path target = directory.resolve(resourceName(arch));
            try {
                Files.write(target, file(arch, kernel, program));
            } catch (IOException e) {
                throw new UncheckedIOException("writing " + target, e);
            }
        }
    }

    static String resourceName(Architecture arch) {
        return "docker-default-" + arch.machine() + ".bpf";
    }

    /** What a filter for {@code arch} is compiled from here: the profile, the syscall table, the capabilities. */
    private static String inputsFingerprint(Architecture arch) {
        CRC32 crc = new CRC32();
        crc.update(FORMAT.getBytes(StandardCharsets.US_ASCII));
        crc.update(Confinement.DOCKER_CAPABILITIES.toString().getBytes(StandardCharsets.US_ASCII));
        crc.update(Seccomp.DEFAULT.profileJson().orElseThrow().getBytes(StandardCharsets.UTF_8));
        crc.update(SyscallTable.resourceBytes(arch));
        return Long.toHexString(crc.getValue());
    }

    private static String crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return Long.toHexString(crc.getValue());
    }

    /** Whole instructions, at least one and no more than the kernel takes, the last a return (BPF_RET). */
    private static boolean isWholeProgram(byte[] program) {
        int length = program.length;
        if (length == 0 || length % BpfAssembler.INSTRUCTION_BYTES != 0
                || length / BpfAssembler.INSTRUCTION_BYTES > SeccompFilters.MAX_INSTRUCTIONS) {
            return false;
        }
        int lastCode = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN).getShort(length - BpfAssembler.INSTRUCTION_BYTES);
        return (lastCode & 0x07) == 0x06; // BPF_CLASS(code) == BPF_RET
    }

    private static boolean isVersion(String text) {
        try {
            return KernelVersion.parse(text).toString().equals(text);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Optional<byte[]> rejected(Architecture arch, String why) {
        LOG.log(System.Logger.Level.DEBUG, () -> "not using the build's seccomp filter " + resourceName(arch) + ": " + why
                + "; compiling Docker's profile instead");
        return Optional.empty();
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
