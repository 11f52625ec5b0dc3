package dev.containerized.rootfs;

/**
 * An image could not be used as a root filesystem: not found, not readable, of an unsupported kind,
 * corrupt (a digest that does not match) or refused (a layer entry that would land outside its layer).
 * The message names the image, the blob or entry, the problem and, where there is one, the fix.
 */
public class ImageException extends RuntimeException {
    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
