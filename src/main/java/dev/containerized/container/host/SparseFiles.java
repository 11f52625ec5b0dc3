package dev.containerized.container.host;

import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.Unistd;

/** Copying a file's data and not its holes: a sparse file that costs one side nothing costs the other nothing either. */
final class SparseFiles {
    private SparseFiles() {
    }

    /**
     * The first {@code size} bytes of {@code file} (its size when opened: one that grows meanwhile is
     * copied as it was) to {@code out}, which is empty, its holes left holes.
     */
    static void copy(Fd file, long size, Fd out) {
        byte[] buffer = new byte[64 * 1024];
        long offset = 0;
        while (offset < size) {
            long data = Unistd.seekDataOrHole(file.number(), offset, Unistd.SEEK_DATA);
            if (data < 0 || data >= size) {
                break; // only a hole left
            }
            long hole = Unistd.seekDataOrHole(file.number(), data, Unistd.SEEK_HOLE);
            long end = hole < 0 ? size : Math.min(hole, size);
            Unistd.seek(file.number(), data);
            Unistd.seek(out.number(), data);
            long position = data;
            int n = 0;
            while (position < end && (n = Unistd.read(file.number(), buffer, (int) Math.min(buffer.length, end - position))) > 0) {
                Unistd.writeFully(out.number(), buffer, 0, n);
                position += n;
            }
            if (n <= 0 && position < end) {
                break; // the file shrank meanwhile
            }
            offset = end;
        }
        Unistd.truncate(out.number(), size); // the length, past a trailing hole
    }
}
