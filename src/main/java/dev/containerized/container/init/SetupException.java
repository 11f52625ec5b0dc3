package dev.containerized.container.init;

/** A setup step of the init failed: the message names the step, the path and the errno. */
final class SetupException extends RuntimeException {
    SetupException(String step, RuntimeException cause) {
        super(step + ": " + cause.getMessage(), cause);
    }
}
