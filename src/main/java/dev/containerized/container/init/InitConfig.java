package dev.containerized.container.init;

import dev.containerized.container.cgroup.CgroupLayout;
import dev.containerized.container.cgroup.CgroupPlacement;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the test JVM tells the init, written to {@code <state>/config} before the init starts: a file
 * rather than arguments, because the init's command line is visible to {@code ps} inside.
 *
 * @param pid1Command present in "command as PID 1" mode: the init execs it after the setup
 */
public record InitConfig(String rootfs, String stateDir, String hostname, List<String> env,
                         String workingDirectory, CgroupPlacement placement,
                         Optional<List<String>> pid1Command) {
    public static final String FILE = "config";

    public InitConfig {
        env = List.copyOf(env);
        pid1Command = pid1Command.map(List::copyOf);
    }

    public void write(Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeUTF(rootfs);
            out.writeUTF(stateDir);
            out.writeUTF(hostname);
            writeList(out, env);
            out.writeUTF(workingDirectory);
            out.writeUTF(placement.version().name());
            writeList(out, placement.enter());
            writeList(out, placement.leave());
            out.writeBoolean(pid1Command.isPresent());
            if (pid1Command.isPresent()) {
                writeList(out, pid1Command.get());
            }
        }
    }

    public static InitConfig read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            String rootfs = in.readUTF();
            String stateDir = in.readUTF();
            String hostname = in.readUTF();
            List<String> env = readList(in);
            String workingDirectory = in.readUTF();
            CgroupLayout.Version version = CgroupLayout.Version.valueOf(in.readUTF());
            CgroupPlacement placement = new CgroupPlacement(version, readList(in), readList(in));
            Optional<List<String>> pid1 = in.readBoolean() ? Optional.of(readList(in)) : Optional.empty();
            return new InitConfig(rootfs, stateDir, hostname, env, workingDirectory, placement, pid1);
        }
    }

    static void writeList(DataOutputStream out, List<String> list) throws IOException {
        out.writeInt(list.size());
        for (String s : list) {
            out.writeUTF(s);
        }
    }

    static List<String> readList(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(in.readUTF());
        }
        return list;
    }
}
