package dev.containerized.internal.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/** Java streams over raw descriptors, such as the ends of a pipe made with {@link Linux#pipe()}. */
public final class FdStreams {
    private FdStreams() {
    }

    public static InputStream input(int fd) {
        return new InputStream() {
            private final AtomicBoolean closed = new AtomicBoolean();
            private final byte[] one = new byte[1];
            private byte[] buffer = new byte[0];

            @Override
            public int read() throws IOException {
                return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] target, int offset, int length) throws IOException {
                if (length == 0) {
                    return 0;
                }
                // read(2) through JNA fills an array from its start: read there, then copy.
                if (buffer.length < length) {
                    buffer = new byte[length];
                }
                try {
                    int n = Linux.read(fd, buffer, length);
                    if (n <= 0) {
                        return -1;
                    }
                    System.arraycopy(buffer, 0, target, offset, n);
                    return n;
                } catch (LinuxException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }

            @Override
            public void close() {
                if (closed.compareAndSet(false, true)) {
                    Linux.closeQuietly(fd);
                }
            }
        };
    }

    public static OutputStream output(int fd) {
        return new OutputStream() {
            private final AtomicBoolean closed = new AtomicBoolean();

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                if (closed.get()) {
                    throw new IOException("descriptor " + fd + " is closed");
                }
                try {
                    Linux.writeFully(fd, offset == 0 ? bytes : java.util.Arrays.copyOfRange(bytes, offset, offset + length), length);
                } catch (LinuxException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }

            @Override
            public void close() {
                if (closed.compareAndSet(false, true)) {
                    Linux.closeQuietly(fd);
                }
            }
        };
    }
}
