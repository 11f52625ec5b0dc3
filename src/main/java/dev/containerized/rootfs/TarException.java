package dev.containerized.rootfs;

import java.io.IOException;

/** An archive that is not a tar we can read: a bad header, a truncated member, an unsupported kind of entry. */
final class TarException extends IOException {
    TarException(String message) {
        super(message);
    }
}
