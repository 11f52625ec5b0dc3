package dev.containerized.container.init;

import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.cgroup.CgroupPlacement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The control protocol and the init's config file, byte for byte through a round trip. */
class FrameTests {
    @Test
    void everyFrameSurvivesARoundTrip() throws IOException {
        List<Frame> frames = List.of(new Frame.Exec(7, List.of("sh", "-c", "echo é")), new Frame.Signal(7, 15),
                new Frame.Ready(), new Frame.Started(7, 42), new Frame.Output(7, 2, new byte[] {0, 1, (byte) 255}),
                new Frame.Exited(7, 9));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        for (Frame frame : frames) {
            Frame.write(out, frame);
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        List<Frame> read = new ArrayList<>();
        Optional<Frame> frame;
        while ((frame = Frame.read(in)).isPresent()) {
            read.add(frame.get());
        }
        assertThat(read).hasSize(frames.size());
        assertThat(read.get(0)).isEqualTo(frames.get(0));
        assertThat(read.get(3)).isEqualTo(frames.get(3));
        assertThat(((Frame.Output) read.get(4)).data()).containsExactly(0, 1, 255);
        assertThat(read.get(5)).isEqualTo(new Frame.Exited(7, 9));
    }

    @Test
    void aStreamCutInsideAFrameIsAnErrorNotAnEnd() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Frame.write(new DataOutputStream(bytes), new Frame.Started(1, 2));
        byte[] cut = java.util.Arrays.copyOf(bytes.toByteArray(), 3);
        assertThatThrownBy(() -> Frame.read(new DataInputStream(new ByteArrayInputStream(cut))))
                .isInstanceOf(IOException.class).hasMessageContaining("ended inside a frame");
    }

    @Test
    void anUnknownFrameTypeIsRejected() {
        assertThatThrownBy(() -> Frame.read(new DataInputStream(new ByteArrayInputStream(new byte[] {99}))))
                .isInstanceOf(IOException.class).hasMessageContaining("unknown control frame type 99");
    }

    @Test
    void theInitConfigSurvivesARoundTrip(@TempDir Path dir) throws IOException {
        InitConfig config = new InitConfig("/rootfs", "/run/containerized/abc", "box", List.of("PATH=/bin", "A=b c"), "/tmp",
                new CgroupPlacement(CgroupLayout.Version.V1, List.of("/cg/pids/x/tasks"), List.of("/cg/pids/tasks")),
                Optional.of(List.of("/bin/sh", "-c", "echo $$")));
        config.write(dir.resolve("config"));
        assertThat(InitConfig.read(dir.resolve("config"))).isEqualTo(config);
    }
}
