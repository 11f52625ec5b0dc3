package dev.containerized.container;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

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

    @Test
    void onlyASigkillDuringRisingOomKillsIsAnOomKill() {
        List<String> cmd = List.of("x");
        assertThat(ExecResult.fromWaitStatus(cmd, 9, "", "", Duration.ZERO, false, true).oomKilled()).isTrue();
        assertThat(ExecResult.fromWaitStatus(cmd, 9, "", "", Duration.ZERO, false, false).oomKilled()).isFalse();
        assertThat(ExecResult.fromWaitStatus(cmd, 9, "", "", Duration.ZERO, true, true).oomKilled()).as("timed out").isFalse();
        assertThat(ExecResult.fromWaitStatus(cmd, 15, "", "", Duration.ZERO, false, true).oomKilled()).isFalse();
        assertThat(ExecResult.fromWaitStatus(cmd, 137 << 8, "", "", Duration.ZERO, false, true).oomKilled())
                .as("exit 137 is not a signal").isFalse();
    }
}
