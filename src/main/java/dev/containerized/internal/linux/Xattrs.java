package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;

import java.nio.charset.StandardCharsets;

/** sys/xattr.h: extended attributes of a path's last component itself (a link is not followed). */
public final class Xattrs {
    private Xattrs() {
    }

    /** lsetxattr(2). */
    public static void set(String path, String name, String value) {
        set(path.getBytes(StandardCharsets.UTF_8), name, value);
    }

    /** lsetxattr(2) of a path as its bytes (a name a container made need not be text). */
    public static void set(byte[] path, String name, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        Libc.check(() -> C.lsetxattr(Fcntl.terminated(path), name, bytes, bytes.length, 0),
                "lsetxattr(" + Libc.quote(new String(path, StandardCharsets.UTF_8)) + ", " + name + ")");
    }

    /** Whether {@code path} itself has the attribute {@code name} (lgetxattr(2); ENODATA and unsupported ones: no). */
    public static boolean has(String path, String name) {
        try {
            C.lgetxattr(path, name, null, 0);
            return true;
        } catch (LastErrorException e) {
            return false;
        }
    }

    private static final class C {
        static {
            Libc.register(C.class);
        }

        static native int lsetxattr(byte[] path, String name, byte[] value, long size, int flags) throws LastErrorException;

        static native long lgetxattr(String path, String name, byte[] value, long size) throws LastErrorException;
    }
}
