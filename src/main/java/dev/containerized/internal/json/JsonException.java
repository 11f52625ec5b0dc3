package dev.containerized.internal.json;

/** A JSON text that does not parse, or does not have the shape a reader expected; the message says where. */
public final class JsonException extends IllegalArgumentException {
    public JsonException(String message) {
        super(message);
    }
}
