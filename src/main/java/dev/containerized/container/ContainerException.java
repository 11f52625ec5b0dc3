package dev.containerized.container;

/** A container could not be started, used or torn down; the message says what and, where known, how to fix it. */
public class ContainerException extends RuntimeException {
    public ContainerException(String message) {
        super(message);
    }

    public ContainerException(String message, Throwable cause) {
        super(message, cause);
    }
}
