package dev.containerized.container;

import org.junit.jupiter.api.Test;

import java.util.BitSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The CPU limits of a spec: what is accepted, and the message for what is not. No container is started. */
class CpuSpecTests {
    private static final BitSet AVAILABLE = CpuList.available();
    private static final int CPUS = AVAILABLE.cardinality();

    @Test
    void cpusFromAHundredthToEveryCpuOfTheHostAreTaken() {
        assertThat(ContainerSpec.builder().cpus(0.01).build().cpus()).hasValue(0.01);
        assertThat(ContainerSpec.builder().cpus(CPUS).build().cpus()).hasValue(CPUS);
        assertThat(ContainerSpec.builder().cpus("0.5").build().cpus()).hasValue(0.5);
        assertThat(ContainerSpec.builder().build().cpus()).isEmpty();
        assertThat(ContainerSpec.builder().cpus(0.5).build().toBuilder().build().cpus()).hasValue(0.5);
    }

    @Test
    void moreCpusThanTheHostOffersAreRefusedNamingTheCount() {
        // The UML guest has one CPU: two is already too many there; this host has two.
        assertThatThrownBy(() -> ContainerSpec.builder().cpus(CPUS + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cpus " + (double) (CPUS + 1) + " is more than the " + CPUS + " CPU" + (CPUS == 1 ? "" : "s")
                        + " this host offers: use at most " + CPUS);
    }

    @Test
    void zeroNegativeTinyAndUnparsableCpusAreRefused() {
        assertThatThrownBy(() -> ContainerSpec.builder().cpus(0)).hasMessageContaining("cpus 0.0 must be positive");
        assertThatThrownBy(() -> ContainerSpec.builder().cpus(-1)).hasMessageContaining("cpus -1.0 must be positive");
        assertThatThrownBy(() -> ContainerSpec.builder().cpus(Double.NaN)).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> ContainerSpec.builder().cpus(0.001)).hasMessageContaining("below 0.01");
        assertThatThrownBy(() -> ContainerSpec.builder().cpus("half")).hasMessage(
                "cpus \"half\" does not parse: use a number of CPUs such as \"0.5\" or \"2\"");
    }

    @Test
    void aCpusetIsNormalisedToTheKernelsListForm() {
        assertThat(ContainerSpec.builder().cpuset("0").build().cpuset()).hasValue("0");
        assertThat(ContainerSpec.builder().cpuset(" 0 ").build().cpuset()).hasValue("0");
        assertThat(ContainerSpec.builder().cpuset(CpuList.format(AVAILABLE)).build().cpuset()).hasValue(CpuList.format(AVAILABLE));
        assertThat(CpuList.format(CpuList.parse("3,0-1,2,7"))).isEqualTo("0-3,7");
        assertThat(CpuList.format(CpuList.parse("0-0"))).isEqualTo("0");
    }

    @Test
    void malformedCpusetsSayWhatIsWrong() {
        assertThatThrownBy(() -> ContainerSpec.builder().cpuset("0-")).hasMessage(
                "cpuset \"0-\" does not parse at \"0-\": use CPU numbers and ranges such as \"0\", \"0-1\" or \"0,2-3\"");
        assertThatThrownBy(() -> ContainerSpec.builder().cpuset("3-1")).hasMessage(
                "cpuset \"3-1\": the range 3-1 runs backwards; write it low to high, such as \"1-3\"");
        assertThatThrownBy(() -> ContainerSpec.builder().cpuset("")).hasMessageContaining("cpuset \"\" is empty");
        assertThatThrownBy(() -> ContainerSpec.builder().cpuset("0,,1")).hasMessageContaining("does not parse at \"\"");
        assertThatThrownBy(() -> ContainerSpec.builder().cpuset("a")).hasMessageContaining("does not parse at \"a\"");
        assertThatThrownBy(() -> ContainerSpec.builder().cpuset("-1")).hasMessageContaining("does not parse");
    }

    @Test
    void cpusTheHostDoesNotOfferAreNamed() {
        int beyond = AVAILABLE.length();
        String cpuset = CpuList.format(AVAILABLE) + "," + beyond + "-" + (beyond + 1);
        assertThatThrownBy(() -> ContainerSpec.builder().cpuset(cpuset))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cpuset \"" + cpuset + "\" names CPUs " + beyond + "-" + (beyond + 1)
                        + ", which this host does not offer: it offers CPUs " + CpuList.format(AVAILABLE));
        assertThatThrownBy(() -> ContainerSpec.builder().cpuset(Integer.toString(beyond)))
                .hasMessage("cpuset \"" + beyond + "\" names CPU " + beyond + ", which this host does not offer: it offers CPUs "
                        + CpuList.format(AVAILABLE));
    }
}
