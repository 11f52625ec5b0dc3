package dev.containerized.container.host;

import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.linux.Unistd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Reads PID 1's events from the control socket: whatever read(2) returns, cut into whole messages. */
final class EventReader {
    private final Fd socket;
    private final byte[] chunk = new byte[4096];
    private ByteBuffer pending = ByteBuffer.allocate(0).order(ByteOrder.nativeOrder());

    EventReader(Fd socket) {
        this.socket = socket;
    }

    /** One read(2); the complete events it finished, or null at end of file (PID 1 is gone). */
    List<Pid1Protocol.Event> read() {
        int n;
        try {
            n = Unistd.read(socket.number(), chunk, chunk.length);
        } catch (LinuxException e) {
            if (e.errno() != Errno.ECONNRESET) {
                throw e;
            }
            n = 0; // PID 1 died with requests of ours unread (a close under a running exec): it is gone all the same
        }
        if (n == 0) {
            return null;
        }
        ByteBuffer joined = ByteBuffer.allocate(pending.remaining() + n).order(ByteOrder.nativeOrder());
        joined.put(pending).put(chunk, 0, n).flip();
        List<Pid1Protocol.Event> events = new ArrayList<>();
        while (joined.remaining() >= Pid1Protocol.HEADER) {
            int type = joined.getInt(joined.position());
            int length = joined.getInt(joined.position() + 4);
            if (joined.remaining() < Pid1Protocol.HEADER + length) {
                break;
            }
            joined.position(joined.position() + Pid1Protocol.HEADER);
            int[] words = new int[length / 4];
            for (int i = 0; i < words.length; i++) {
                words[i] = joined.getInt();
            }
            joined.position(joined.position() + length % 4);
            events.add(new Pid1Protocol.Event(type, words));
        }
        pending = joined.slice().order(ByteOrder.nativeOrder());
        return events;
    }
}
