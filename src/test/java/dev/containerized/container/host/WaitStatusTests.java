package dev.containerized.container.host;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** waitpid(2) statuses, as the kernel encodes them. */
class WaitStatusTests {
    @Test
    void anExitCodeIsTheSecondByte() {
        WaitStatus exited = new WaitStatus(3 << 8);
        assertThat(exited.signal()).isEmpty();
        assertThat(exited.shellStatus()).isEqualTo(3);
        assertThat(exited.describe()).isEqualTo("exit status 3");
    }

    @Test
    void aSignalIsTheLowSevenBitsAndTheCoreDumpFlagIsIgnored() {
        assertThat(new WaitStatus(15).signal()).hasValue(15);
        assertThat(new WaitStatus(15).shellStatus()).isEqualTo(143);
        assertThat(new WaitStatus(0x80 | 11).signal()).hasValue(11);
        assertThat(new WaitStatus(9).describe()).isEqualTo("killed by signal 9");
    }
}
