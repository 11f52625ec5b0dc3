package dev.containerized.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * glibc, as every binding class here maps it: by JNA's direct mapping ({@code Native.register}), which
 * costs far less per call than interface proxies, from nested {@code C} classes whose native methods
 * carry the C names. Each binding class wraps them in methods that throw a {@link LinuxException}
 * naming the call, its key arguments and the errno name.
 */
final class Libc {
    /**
     * glibc, by JNA's own name for the C library ("c"), one handle for every binding class. (On Linux
     * JNA runs {@code ldconfig -p} once per JVM to build its search path, whatever name is given.)
     * <p>
     * Strings go to it as UTF-8, the encoding every name read back is decoded from: JNA's own default is
     * the JVM's default charset, which on Java 17 in the C or POSIX locale (LANG unset, as in many CI
     * images) is US-ASCII, and turns every character beyond it into "?".
     */
    private static final NativeLibrary LIBRARY = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME,
            Map.of(Library.OPTION_STRING_ENCODING, StandardCharsets.UTF_8.name()));

    private Libc() {
    }

    static void register(Class<?> bindings) {
        Native.register(bindings, LIBRARY);
    }

    /** Calls a function that returns -1 and sets errno on failure (JNA captures errno as LastErrorException). */
    static int check(IntSupplier call, String description) {
        try {
            return call.getAsInt();
        } catch (LastErrorException e) {
            throw new LinuxException(description, e.getErrorCode());
        }
    }

    static long checkLong(LongSupplier call, String description) {
        try {
            return call.getAsLong();
        } catch (LastErrorException e) {
            throw new LinuxException(description, e.getErrorCode());
        }
    }

    /** For the posix_spawn family, which returns the error number itself and leaves errno alone. */
    static void checkReturned(int error, String description) {
        if (error != 0) {
            throw new LinuxException(description, error);
        }
    }

    static String quote(String s) {
        return s == null ? "NULL" : "\"" + s + "\"";
    }
}
