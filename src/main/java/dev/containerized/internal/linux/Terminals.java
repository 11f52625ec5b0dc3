package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/** termios.h and the tty ioctls: a container's own pseudo-terminal, and the host terminal's modes and size. */
public final class Terminals {
    private static final long TIOCGWINSZ = 0x5413;
    private static final long TIOCSWINSZ = 0x5414;
    private static final long TIOCSPTLCK = 0x40045431;
    private static final long TIOCGPTPEER = 0x5441;
    private static final int TCSANOW = 0;
    /** glibc's struct termios is 60 bytes; kept opaque, changed only by cfmakeraw(3). */
    private static final int TERMIOS_SIZE = 64;

    private Terminals() {
    }

    public static boolean isTerminal(int fd) {
        return C.isatty(fd) == 1;
    }

    /**
     * The slave side of the pty whose master {@code master} is (opened from a devpts instance's ptmx),
     * unlocked and opened through the master itself (TIOCGPTPEER): no path is looked up, so nothing in
     * the container can put another file in its place.
     */
    public static Fd openPeer(Fd master) {
        Memory unlock = new Memory(4);
        unlock.setInt(0, 0);
        Libc.check(() -> C.ioctl(master.number(), TIOCSPTLCK, unlock), "ioctl(TIOCSPTLCK, " + master + ")");
        return Fd.of(Libc.check(() -> C.ioctl(master.number(), TIOCGPTPEER, (long) (Fcntl.O_RDWR | Fcntl.O_NOCTTY | Fcntl.O_CLOEXEC)),
                "ioctl(TIOCGPTPEER, " + master + ")"));
    }

    /** Copies the window size of terminal {@code from} to terminal {@code to}; false if {@code from} has none. */
    public static boolean copyWindowSize(int from, int to) {
        Memory size = new Memory(8); // struct winsize: four unsigned shorts
        try {
            C.ioctl(from, TIOCGWINSZ, size);
            C.ioctl(to, TIOCSWINSZ, size);
            return true;
        } catch (LastErrorException e) {
            return false;
        }
    }

    /** Puts terminal {@code fd} in raw mode (cfmakeraw); the returned state restores it. */
    public static Memory makeRaw(int fd) {
        Memory saved = new Memory(TERMIOS_SIZE);
        Libc.check(() -> C.tcgetattr(fd, saved), "tcgetattr(" + fd + ")");
        Memory raw = new Memory(TERMIOS_SIZE);
        raw.write(0, saved.getByteArray(0, TERMIOS_SIZE), 0, TERMIOS_SIZE);
        C.cfmakeraw(raw);
        Libc.check(() -> C.tcsetattr(fd, TCSANOW, raw), "tcsetattr(" + fd + ", raw)");
        return saved;
    }

    public static void restore(int fd, Memory saved) {
        try {
            C.tcsetattr(fd, TCSANOW, saved);
        } catch (LastErrorException ignored) {
            // The terminal is gone: nothing to restore.
        }
    }

    private static final class C {
        static {
            Libc.register(C.class);
        }

        static native int isatty(int fd);

        static native int ioctl(int fd, long request, Pointer argument) throws LastErrorException;

        static native int ioctl(int fd, long request, long argument) throws LastErrorException;

        static native int tcgetattr(int fd, Pointer termios) throws LastErrorException;

        static native int tcsetattr(int fd, int action, Pointer termios) throws LastErrorException;

        static native void cfmakeraw(Pointer termios);
    }
}
