package dev.containerized.container.host;

/** A step of a container's setup failed; the message names the step, the path and the errno. */
final class SetupException extends RuntimeException {
    SetupException(String message) {
        super(message);
    }

    SetupException(String step, RuntimeException cause) {
        super(step + ": " + cause.getMessage(), cause);
    }
}
