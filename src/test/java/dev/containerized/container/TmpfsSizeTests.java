package dev.containerized.container;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** /dev/shm, /tmp and /run are tmpfs mounts of a bounded size: Docker's 64 MiB for /dev/shm, settings for all three. */
class TmpfsSizeTests {
    @AfterEach
    void nothingLeftBehind() {
        org.assertj.core.api.Assertions.assertThat(Leaks.find()).isEmpty();
    }

    private static final String SIZES = "for d in /dev/shm /tmp /run; do grep \" $d \" /proc/self/mountinfo"
            + " | sed -n 's/.* - tmpfs tmpfs rw,size=\\([0-9]*k\\).*/\\1/p'; done";

    @Test
    void theDefaultsAreBounded() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            assertThat(c.exec("sh", "-c", SIZES)).succeeded().stdout().isEqualTo("65536k\n1048576k\n65536k\n");
        }
    }

    @Test
    void eachSizeIsASettingAndAFileBeyondItIsRefused() {
        ContainerSpec spec = ContainerSpec.builder().shmSize("4m").tmpSize("8m").runSize("512k").build();
        try (Container c = Container.start(spec)) {
            assertThat(c.exec("sh", "-c", SIZES)).succeeded().stdout().isEqualTo("4096k\n8192k\n512k\n");
            assertThat(c.exec("sh", "-c", "dd if=/dev/zero of=/dev/shm/big bs=1M count=5")).exitedWith(1)
                    .stderr().contains("No space left on device");
            assertThat(c.exec("sh", "-c", "dd if=/dev/zero of=/tmp/fits bs=1M count=7 && dd if=/dev/zero of=/tmp/big bs=1M count=2")).exitedWith(1)
                    .stderr().contains("No space left on device");
            assertThat(c.exec("sh", "-c", "dd if=/dev/zero of=/run/big bs=1M count=1")).exitedWith(1)
                    .stderr().contains("No space left on device");
        }
    }

    /**
     * Their pages count against the memory limit and nothing reclaims them: under a limit, each holds at
     * most the limit less 64 MiB (or half of a smaller one), so that filling one is the writer's ENOSPC,
     * not the next fork's OOM kill of PID 1 (review27 #1: a full 1 GiB /tmp in a 64m container ended it).
     */
    @Test
    void underAMemoryLimitEachLeavesTheProcessesRoomAndAFullOneIsTheWritersENOSPC() {
        try (Container c = Container.start(ContainerSpec.builder().memoryLimit("64m").runSize("8m").tmpfs("/scratch", "1g").build())) {
            assertThat(c.exec("sh", "-c", SIZES)).succeeded().stdout().isEqualTo("32768k\n32768k\n8192k\n");
            assertThat(c.exec("sh", "-c", "df -k /scratch | tail -1 | awk '{print $2}'")).succeeded().stdout().isEqualTo("32768\n");
            for (String fill : List.of("cat /dev/zero > /tmp/f", "cat /dev/zero > /dev/shm/f", "cat /dev/zero > /run/f")) {
                assertThat(c.exec("sh", "-c", fill)).as(fill).exitedWith(1).wasNotOomKilled().stderr().contains("No space left on device");
                assertThat(c.exec("sh", "-c", "rm " + fill.substring(fill.indexOf('>') + 2) + " && echo still here")).as("after " + fill)
                        .succeeded().stdout().isEqualTo("still here\n");
            }
        }
    }

    @Test
    void aSizeThatDoesNotParseOrIsBelowAPageIsNamed() {
        assertThatThrownBy(() -> ContainerSpec.builder().shmSize("lots")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("size of /dev/shm: memory size \"lots\" does not parse: use a positive number with an optional"
                        + " unit k, m or g, such as \"64m\"");
        assertThatThrownBy(() -> ContainerSpec.builder().tmpSize("0")).hasMessageStartingWith("size of /tmp: memory size \"0\"");
        assertThatThrownBy(() -> ContainerSpec.builder().runSize("100"))
                .hasMessage("size of /run \"100\" is below one page (4 KiB): use at least \"4k\", such as \"64m\"");
        ContainerSpec spec = ContainerSpec.builder().shmSize("1g").build();
        org.assertj.core.api.Assertions.assertThat(spec.toBuilder().build().shmSizeBytes()).isEqualTo(1L << 30);
    }
}
