package dev.containerized.container.host;

import dev.containerized.container.cgroup.CgroupfsMount;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The messages between the test JVM and the container's PID 1, as {@code src/main/c/init/protocol.h}
 * defines them (a test checks that the numbers agree): a header of two native-endian 32-bit words,
 * type and payload length, then the payload.
 */
final class Pid1Protocol {
    static final int HEADER = 8;
    /** The most descriptors one message carries. */
    static final int MAX_FDS = 16;
    /** CZ_MAX_PAYLOAD: PID 1 takes no larger request (it would end on EPROTO). */
    static final int MAX_PAYLOAD = 64 << 20;

    // Requests.
    static final int CONFIG = 1;
    static final int EXEC = 2;
    static final int SIGNAL = 3;
    static final int EXEC_SELF = 4;
    static final int PIVOT = 5;

    // Events.
    static final int READY = 101;
    static final int SETUP_FAILED = 102;
    static final int STARTED = 103;
    static final int FAILED = 104;
    static final int EXITED = 105;

    static final int UNSHARE_CGROUP = 0x1;
    static final int SETSID = 0x1;
    static final int SETCTTY = 0x2;
    static final int KEEP_ID = 0xffffffff;

    static final int STEP_PROTOCOL = 1;
    static final int STEP_CGROUP = 2;
    static final int STEP_CGROUPNS = 3;
    static final int STEP_PROC = 4;
    static final int STEP_PIVOT = 5;
    static final int STEP_CAPS = 6;
    static final int STEP_CGROUPFS = 7;
    static final int STEP_ROOT = 8;

    static final int STAGE_FORK = 10;
    static final int STAGE_STDIO = 11;
    static final int STAGE_SESSION = 12;
    static final int STAGE_CAPS = 13;
    static final int STAGE_USER = 14;
    static final int STAGE_CWD = 15;
    static final int STAGE_SECCOMP = 16;
    static final int STAGE_EXEC = 17;

    private Pid1Protocol() {
    }

    /**
     * What PID 1 needs once: whether to root a cgroup namespace, which cgroupfs to mount (their mount
     * points travel as descriptors after the cgroup files and /proc), and how commands are confined.
     */
    static byte[] config(boolean unshareCgroup, int cgroupFiles, List<CgroupfsMount> cgroupfs, int lastCap,
                         long capabilities, byte[] seccomp) {
        Payload p = new Payload();
        p.word(unshareCgroup ? UNSHARE_CGROUP : 0).word(cgroupFiles).word(cgroupfs.size()).word(lastCap)
                .word((int) capabilities).word((int) (capabilities >>> 32)).word(seccomp.length).bytes(seccomp);
        for (CgroupfsMount mount : cgroupfs) {
            p.string(mount.fstype()).string(mount.options());
        }
        return p.frame(CONFIG);
    }

    static byte[] pivot() {
        return new Payload().frame(PIVOT);
    }

    /** EXEC or EXEC_SELF: the command, its environment, directory, user and session. */
    static byte[] exec(int type, int id, int flags, int uid, int gid, int[] groups, String cwd, List<String> argv,
                       List<String> env) {
        Payload p = new Payload();
        p.word(id).word(flags).word(uid).word(gid).word(groups.length).word(argv.size()).word(env.size());
        for (int group : groups) {
            p.word(group);
        }
        p.string(cwd);
        argv.forEach(p::string);
        env.forEach(p::string);
        return p.frame(type);
    }

    static byte[] signal(int id, int signal) {
        return new Payload().word(id).word(signal).frame(SIGNAL);
    }

    /** A payload under construction; {@link #frame} puts the header before it. */
    private static final class Payload {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());

        Payload word(int value) {
            bytes.write(word.putInt(0, value).array(), 0, 4);
            return this;
        }

        Payload string(String value) {
            if (value.indexOf('\0') >= 0) { // it would end the string early and shift every string after it
                throw new IllegalArgumentException("\"" + value.replace("\0", "\\0") + "\" holds a NUL byte, which no argument, "
                        + "environment entry or path given to a command may hold");
            }
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            bytes.write(utf8, 0, utf8.length);
            bytes.write(0);
            return this;
        }

        Payload bytes(byte[] value) {
            bytes.write(value, 0, value.length);
            return this;
        }

        byte[] frame(int type) {
            ByteBuffer frame = ByteBuffer.allocate(HEADER + bytes.size()).order(ByteOrder.nativeOrder());
            frame.putInt(type).putInt(bytes.size()).put(bytes.toByteArray());
            return frame.array();
        }
    }

    /** An event from PID 1: its type and its payload's words. */
    record Event(int type, int[] words) {
        int word(int index) {
            return index < words.length ? words[index] : 0;
        }
    }
}
