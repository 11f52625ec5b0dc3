package dev.containerized.container.confine;

import dev.containerized.container.Seccomp;
import dev.containerized.internal.linux.Architecture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The build's compilation of Docker's default profile: present, the compiler's own bytes, used only where it holds. */
class PrecompiledFiltersTests {
    private static final Set<Integer> DOCKER_CAPS = Set.copyOf(Confinement.DOCKER_CAPABILITIES);
    private static final KernelVersion FOUR_EIGHT = new KernelVersion(4, 8);

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void theBuildsFilterIsWhatTheCompilerMakesForTheProfilesNewestKernelAndLaterOnes(Architecture arch) {
        for (KernelVersion kernel : new KernelVersion[] {FOUR_EIGHT, new KernelVersion(6, 18), new KernelVersion(99, 0)}) {
            assertThat(PrecompiledFilters.dockerDefault(arch, kernel))
                    .as("the build (process-classes) writes %s", PrecompiledFilters.resourceName(arch))
                    .contains(compile(arch, kernel));
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void anOlderKernelThanTheProfilesNewestMinKernelGetsNoneAndWouldCompileAnotherFilter(Architecture arch) {
        KernelVersion older = new KernelVersion(4, 7);
        assertThat(PrecompiledFilters.dockerDefault(arch, older)).isEmpty();
        assertThat(compile(arch, older)).isNotEqualTo(compile(arch, FOUR_EIGHT));
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void eachResourceSaysItHoldsFromTheProfilesNewestMinKernel(Architecture arch) throws IOException {
        Profile profile = ProfileReader.read("default", Seccomp.DEFAULT.profileJson().orElseThrow());
        assertThat(firstLine(resource(arch))).startsWith("minKernel " + PrecompiledFilters.newestMinKernel(profile) + " ");
        assertThat(PrecompiledFilters.newestMinKernel(profile)).isEqualTo(FOUR_EIGHT);
    }

    @Test
    void theRuntimeTakesTheDefaultProfilesFilterFromTheBuildWithoutCompilingIt() {
        int compiledBefore = SeccompFilters.compilations();
        byte[] filter = Confinement.filter(Seccomp.DEFAULT);
        assertThat(SeccompFilters.compilations()).isEqualTo(compiledBefore);
        assertThat(filter).isEqualTo(compile(Architecture.current(), KernelVersion.running()));
    }

    @Test
    void anyOtherProfileIsCompiled(@TempDir Path dir) throws IOException {
        Path profile = Files.writeString(dir.resolve("profile.json"), "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": []}");
        int compiledBefore = SeccompFilters.compilations();
        Confinement.filter(Seccomp.fromFile(profile));
        assertThat(SeccompFilters.compilations()).isEqualTo(compiledBefore + 1);
    }

    /** A damaged, stale or foreign resource is never used: the filter is compiled instead (an empty one would be none at all). */
    @Test
    void aResourceThatIsNotWholeOrNotMadeFromTodaysInputsIsRefused() throws IOException {
        Architecture arch = Architecture.current();
        byte[] good = resource(arch);
        int header = firstLine(good).length() + 1;
        byte[] program = Arrays.copyOfRange(good, header, good.length);
        assertThat(PrecompiledFilters.accept(good, arch, FOUR_EIGHT)).contains(program);

        assertThat(PrecompiledFilters.accept(PrecompiledFilters.file(arch, FOUR_EIGHT, new byte[0]), arch, FOUR_EIGHT))
                .as("an empty program, whose fingerprints match").isEmpty();
        byte[] loadAndJump = Arrays.copyOf(program, 2 * BpfAssembler.INSTRUCTION_BYTES); // load the arch, compare: no return
        assertThat(PrecompiledFilters.accept(PrecompiledFilters.file(arch, FOUR_EIGHT, loadAndJump), arch, FOUR_EIGHT))
                .as("a program that does not end in a return, whose fingerprints match").isEmpty();
        byte[] halfAnInstructionMore = Arrays.copyOf(program, program.length + 4);
        assertThat(PrecompiledFilters.accept(PrecompiledFilters.file(arch, FOUR_EIGHT, halfAnInstructionMore), arch, FOUR_EIGHT))
                .as("a program of part of an instruction more, whose fingerprints match").isEmpty();
        assertThat(PrecompiledFilters.accept(Arrays.copyOf(good, good.length - 3), arch, FOUR_EIGHT)).as("truncated").isEmpty();
        byte[] flipped = good.clone();
        flipped[header + 20] ^= 1;
        assertThat(PrecompiledFilters.accept(flipped, arch, FOUR_EIGHT)).as("a changed byte").isEmpty();
        Architecture other = arch == Architecture.X86_64 ? Architecture.AARCH64 : Architecture.X86_64;
        assertThat(PrecompiledFilters.accept(good, other, FOUR_EIGHT)).as("another architecture's inputs").isEmpty();
        assertThat(PrecompiledFilters.accept(withHeader(good, firstLine(good).replaceFirst("inputs \\S+", "inputs 1234")), arch, FOUR_EIGHT))
                .as("made from other inputs").isEmpty();
        assertThat(PrecompiledFilters.accept(withHeader(good, firstLine(good).replace("minKernel 4.8", "minKernel 4.8garbage")), arch,
                FOUR_EIGHT)).as("a version that is not one").isEmpty();
        assertThat(PrecompiledFilters.accept(program, arch, FOUR_EIGHT)).as("no header").isEmpty();
    }

    private static byte[] compile(Architecture arch, KernelVersion kernel) {
        return SeccompFilters.compile(Seccomp.DEFAULT, arch, DOCKER_CAPS, kernel).orElseThrow();
    }

    private static byte[] resource(Architecture arch) throws IOException {
        try (InputStream in = PrecompiledFilters.class.getResourceAsStream(PrecompiledFilters.resourceName(arch))) {
            assertThat(in).as("the build (process-classes) writes %s", PrecompiledFilters.resourceName(arch)).isNotNull();
            return in.readAllBytes();
        }
    }

    private static String firstLine(byte[] file) {
        String text = new String(file, StandardCharsets.ISO_8859_1);
        return text.substring(0, text.indexOf('\n'));
    }

    private static byte[] withHeader(byte[] file, String header) {
        byte[] rest = Arrays.copyOfRange(file, firstLine(file).length(), file.length);
        byte[] head = header.getBytes(StandardCharsets.ISO_8859_1);
        byte[] joined = Arrays.copyOf(head, head.length + rest.length);
        System.arraycopy(rest, 0, joined, head.length, rest.length);
        return joined;
    }
}
