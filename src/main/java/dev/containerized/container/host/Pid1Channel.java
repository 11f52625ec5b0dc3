package dev.containerized.container.host;

import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.linux.Sockets;

/** The test JVM's end of the control socket to PID 1: whole requests, sent one at a time from any thread. */
final class Pid1Channel {
    private final Fd socket;

    Pid1Channel(Fd socket) {
        this.socket = socket;
    }

    Fd socket() {
        return socket;
    }

    /** Closes the socket; under the lock of {@link #send}, so that no send uses its number once it is closed. */
    synchronized void close() {
        socket.close();
    }

    /** Sends a request with {@code fds} attached; a LinuxException (EPIPE) means PID 1 is gone. */
    synchronized void send(byte[] request, Fd... fds) {
        if (socket.isClosed()) {
            // Never sendmsg to the number: another container's control socket may have it by now.
            throw new LinuxException("sendmsg(" + socket + ", closed)", Errno.EPIPE);
        }
        if (fds.length > Pid1Protocol.MAX_FDS) {
            // PID 1 would see MSG_CTRUNC and refuse the message as malformed: say why here instead.
            throw new IllegalArgumentException(fds.length + " descriptors in one message, more than PID 1 takes ("
                    + Pid1Protocol.MAX_FDS + ", CZ_MAX_FDS in protocol.h)");
        }
        int[] numbers = new int[fds.length];
        for (int i = 0; i < fds.length; i++) {
            numbers[i] = fds[i].number();
        }
        Sockets.sendWithDescriptors(socket, request, numbers);
    }
}
