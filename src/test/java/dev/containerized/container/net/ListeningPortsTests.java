package dev.containerized.container.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading /proc/net/tcp and tcp6: tables as a kernel writes them (x86_64), no container. */
class ListeningPortsTests {
    private static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

    @Test
    void listenersReachableAt127001AreFoundOthersAreNot(@TempDir Path net) throws Exception {
        Files.writeString(net.resolve("tcp"), HEADER
                + "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0\n" // 127.0.0.1:8080
                + "   1: 00000000:2328 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 100 0 0 10 0\n" // 0.0.0.0:9000
                + "   2: 0100007F:2329 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0000000000000000 20 4 30 10 -1\n" // established, not listening
                + "   3: 0101A8C0:232A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4 1 0000000000000000 100 0 0 10 0\n"); // 192.168.1.1:9002
        Files.writeString(net.resolve("tcp6"), HEADER
                + "   0: 00000000000000000000000000000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5 1 0000000000000000 100 0 0 10 0\n" // [::]:8081
                + "   1: 00000000000000000000000001000000:1F92 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6 1 0000000000000000 100 0 0 10 0\n" // [::1]:8082
                + "   2: 0000000000000000FFFF00000100007F:1F93 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7 1 0000000000000000 100 0 0 10 0\n"); // [::ffff:127.0.0.1]:8083

        assertThat(ListeningPorts.in(net)).containsExactlyInAnyOrder(8080, 9000, 8081, 8083);
    }

    @Test
    void aMissingTcp6TableMeansNoIpv6Listeners(@TempDir Path net) throws Exception {
        Files.writeString(net.resolve("tcp"), HEADER
                + "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0\n");
        assertThat(ListeningPorts.in(net)).containsExactly(8080);
    }
}
