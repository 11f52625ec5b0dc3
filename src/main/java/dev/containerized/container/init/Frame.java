package dev.containerized.container.init;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The control protocol between the test JVM and the init, carried on the init's stdin (requests) and
 * stdout (events). Each frame is a type byte followed by its fields in {@link DataOutputStream} form.
 */
public sealed interface Frame {
    /** Host to init: start {@code argv} as command {@code id}. */
    record Exec(int id, List<String> argv) implements Frame {
    }

    /** Host to a prestarted init: set up the container whose state directory is {@code stateDir}. */
    record Go(String stateDir) implements Frame {
    }

    /** Host to init: send {@code signal} to command {@code id} and its process group. */
    record Signal(int id, int signal) implements Frame {
    }

    /** Init to host: the setup is done and the container is ready for commands. */
    record Ready() implements Frame {
    }

    /** Init to host: command {@code id} runs as {@code pid} (in the container's pid namespace). */
    record Started(int id, int pid) implements Frame {
    }

    /** Init to host: output of command {@code id}; stream 1 is stdout, 2 stderr. */
    record Output(int id, int stream, byte[] data) implements Frame {
    }

    /** Init to host: command {@code id} ended with this waitpid(2) status, and its output is all sent. */
    record Exited(int id, int waitStatus) implements Frame {
    }

    /** Writes the frame; callers that share {@code out} between threads synchronize on it. */
    static void write(DataOutputStream out, Frame frame) throws IOException {
        // Java 17 has no pattern matching for switch: one instanceof per frame type.
        if (frame instanceof Exec e) {
            out.writeByte(1);
            out.writeInt(e.id());
            InitConfig.writeList(out, e.argv());
        } else if (frame instanceof Signal s) {
            out.writeByte(2);
            out.writeInt(s.id());
            out.writeInt(s.signal());
        } else if (frame instanceof Ready) {
            out.writeByte(3);
        } else if (frame instanceof Started s) {
            out.writeByte(4);
            out.writeInt(s.id());
            out.writeInt(s.pid());
        } else if (frame instanceof Output o) {
            out.writeByte(5);
            out.writeInt(o.id());
            out.writeByte(o.stream());
            out.writeInt(o.data().length);
            out.write(o.data());
        } else if (frame instanceof Exited e) {
            out.writeByte(6);
            out.writeInt(e.id());
            out.writeInt(e.waitStatus());
        } else if (frame instanceof Go g) {
            out.writeByte(7);
            out.writeUTF(g.stateDir());
        }
        out.flush();
    }

    /** The next frame, or empty at a clean end of stream. */
    static Optional<Frame> read(DataInputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(switch (type) {
                case 1 -> new Exec(in.readInt(), InitConfig.readList(in));
                case 2 -> new Signal(in.readInt(), in.readInt());
                case 3 -> new Ready();
                case 4 -> new Started(in.readInt(), in.readInt());
                case 5 -> {
                    int id = in.readInt();
                    int stream = in.readByte();
                    byte[] data = new byte[in.readInt()];
                    in.readFully(data);
                    yield new Output(id, stream, data);
                }
                case 6 -> new Exited(in.readInt(), in.readInt());
                case 7 -> new Go(in.readUTF());
                default -> throw new IOException("unknown control frame type " + type);
            });
        } catch (EOFException e) {
            throw new IOException("control channel ended inside a frame of type " + type, e);
        }
    }
}
