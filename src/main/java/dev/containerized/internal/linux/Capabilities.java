package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Docker's default capability set, applied to the calling thread: capabilities, like the bounding set
 * and no_new_privs, belong to a thread in Linux and are inherited by what it spawns. Without
 * CAP_SYS_ADMIN nobody inside can mount a cgroupfs and leave the limits.
 */
public final class Capabilities {
    /** CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, NET_BIND_SERVICE, NET_RAW, SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP. */
    public static final List<Integer> DOCKER_DEFAULTS = List.of(0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31);
    private static final int LINUX_CAPABILITY_VERSION_3 = 0x20080522;

    private Capabilities() {
    }

    /** The highest capability number this kernel knows; read it before pivot_root hides the host's /proc. */
    public static int lastCap() {
        // One read(2) with room to spare: a sysctl file answers a read at a non-zero offset with end of
        // file, so Files.readString (which probes with a 1-byte read first) would see "4" of "40".
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys/kernel/cap_last_cap"))) {
            byte[] buffer = new byte[32];
            int n = in.read(buffer);
            return Integer.parseInt(new String(buffer, 0, Math.max(n, 0), StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 63;
        }
    }

    /** Drops every capability but {@link #DOCKER_DEFAULTS} from the calling thread, bounding set included, and sets no_new_privs. */
    public static void restrictCurrentThread(int lastCap) {
        for (int cap = 0; cap <= lastCap; cap++) {
            if (!DOCKER_DEFAULTS.contains(cap)) {
                Linux.prctl(LibC.PR_CAPBSET_DROP, cap);
            }
        }
        long mask = 0;
        for (int cap : DOCKER_DEFAULTS) {
            mask |= 1L << cap;
        }
        Memory header = new Memory(8);
        header.setInt(0, LINUX_CAPABILITY_VERSION_3);
        header.setInt(4, 0);
        Memory data = new Memory(24); // two __user_cap_data_struct: effective, permitted, inheritable
        int low = (int) mask;
        int high = (int) (mask >>> 32);
        data.setInt(0, low);
        data.setInt(4, low);
        data.setInt(8, low);
        data.setInt(12, high);
        data.setInt(16, high);
        data.setInt(20, high);
        try {
            LibC.INSTANCE.syscall(Syscalls.CAPSET, header, data);
        } catch (LastErrorException e) {
            throw new LinuxException("capset(docker defaults)", e.getErrorCode());
        }
        Linux.prctl(LibC.PR_SET_NO_NEW_PRIVS, 1);
    }
}
