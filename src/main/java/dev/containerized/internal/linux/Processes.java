package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;

/** signal.h, sys/wait.h and sys/pidfd.h: signalling and reaping processes, by pid or by pidfd. */
public final class Processes {
    public static final int SIGINT = 2;
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    public static final int SIGWINCH = 28;
    private static final int WNOHANG = 1;

    private Processes() {
    }

    /**
     * pidfd_open(2), Linux 5.3: a descriptor for the process, which polls readable once it exited and
     * never names another process, even after its pid is reused.
     */
    public static Fd pidfdOpen(int pid) {
        return Fd.of((int) Libc.checkLong(() -> C.syscall(Architecture.SYS_PIDFD_OPEN, pid, 0), "pidfd_open(" + pid + ")"));
    }

    /** pidfd_send_signal(2); false when the process has already exited. */
    public static boolean signal(Fd pidfd, int signal) {
        try {
            C.syscall(Architecture.SYS_PIDFD_SEND_SIGNAL, pidfd.number(), signal, 0L, 0);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.ESRCH) {
                return false;
            }
            throw new LinuxException("pidfd_send_signal(" + pidfd + ", " + signal + ")", e.getErrorCode());
        }
    }

    /** waitpid(2) with WNOHANG: the wait status, or -1 while it runs. Retried on EINTR. */
    public static int reapIfExited(int pid) {
        int[] status = new int[1];
        while (true) {
            try {
                return C.waitpid(pid, status, WNOHANG) == pid ? status[0] : -1;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new LinuxException("waitpid(" + pid + ")", e.getErrorCode());
                }
            }
        }
    }

    private static final class C {
        static {
            Libc.register(C.class);
        }

        static native long syscall(long number, int a, int b) throws LastErrorException;

        static native long syscall(long number, int pidfd, int signal, long info, int flags) throws LastErrorException;

        static native int waitpid(int pid, int[] status, int options) throws LastErrorException;
    }
}
