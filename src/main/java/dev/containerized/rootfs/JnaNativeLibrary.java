package dev.containerized.rootfs;

import com.sun.jna.Native;
import com.sun.jna.Platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * JNA's native library, unpacked once into the cache for every init to load. Left to itself, JNA
 * unpacks it into /tmp at each start; an init killed with its container would leave the copy behind.
 */
public final class JnaNativeLibrary {
    private JnaNativeLibrary() {
    }

    /** The directory holding {@code libjnidispatch.so} of the JNA on the classpath. */
    public static synchronized Path directory() {
        Path dir = Cache.directory().resolve("jna-" + Native.VERSION + "-" + Platform.RESOURCE_PREFIX);
        Path library = dir.resolve(System.mapLibraryName("jnidispatch"));
        if (Files.exists(library)) {
            return dir;
        }
        String resource = "/com/sun/jna/" + Platform.RESOURCE_PREFIX + "/" + System.mapLibraryName("jnidispatch");
        try (InputStream in = Native.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("JNA " + Native.VERSION + " has no native library for "
                        + Platform.RESOURCE_PREFIX + " (" + resource + ")");
            }
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, "jnidispatch", ".tmp");
            Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(temp, library, StandardCopyOption.ATOMIC_MOVE);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack JNA's native library into " + dir, e);
        }
    }
}
