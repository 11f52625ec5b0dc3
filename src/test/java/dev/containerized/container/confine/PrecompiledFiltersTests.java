package dev.containerized.container.confine;

import dev.containerized.container.Seccomp;
import dev.containerized.internal.linux.Architecture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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
                    .contains(SeccompFilters.compile(Seccomp.DEFAULT, arch, DOCKER_CAPS, kernel).orElseThrow());
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void anOlderKernelThanTheProfilesNewestMinKernelGetsNoneAndWouldCompileAnotherFilter(Architecture arch) {
        KernelVersion older = new KernelVersion(4, 7);
        assertThat(PrecompiledFilters.dockerDefault(arch, older)).isEmpty();
        assertThat(SeccompFilters.compile(Seccomp.DEFAULT, arch, DOCKER_CAPS, older).orElseThrow())
                .isNotEqualTo(SeccompFilters.compile(Seccomp.DEFAULT, arch, DOCKER_CAPS, FOUR_EIGHT).orElseThrow());
    }

    @Test
    void theProfilesNewestMinKernelIsWhatTheResourcesSay() {
        Profile profile = ProfileReader.read("default", Seccomp.DEFAULT.profileJson().orElseThrow());
        assertThat(PrecompiledFilters.newestMinKernel(profile)).isEqualTo(FOUR_EIGHT);
    }

    @Test
    void theRuntimeUsesItForTheDefaultProfileOnThisKernel() {
        KernelVersion running = KernelVersion.running();
        assertThat(Confinement.docker(Seccomp.DEFAULT).seccomp())
                .isEqualTo(SeccompFilters.compile(Seccomp.DEFAULT, Architecture.current(), DOCKER_CAPS, running).orElseThrow())
                .isEqualTo(PrecompiledFilters.dockerDefault(Architecture.current(), running).orElseThrow());
    }
}
