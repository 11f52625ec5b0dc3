package dev.containerized.rootfs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an image's config says about running it (the {@code config} object of the OCI image config, as
 * Docker writes it too). The runtime applies {@link #env}, {@link #workingDir} and {@link #user} as the
 * container's defaults, and {@link #command()} when the image's command runs as PID 1.
 *
 * @param env          {@code NAME=value} strings, in the image's order
 * @param workingDir   the working directory, if the image sets one
 * @param user         {@code user}, {@code uid}, {@code user:group} or {@code uid:gid}, as the image says it
 * @param entrypoint   empty when the image has none
 * @param cmd          the default arguments (or command, without an entrypoint); empty when none
 * @param exposedPorts {@code 8080/tcp}, {@code 53/udp} …, in the image's order; informational
 */
public record ImageConfig(List<String> env, Optional<String> workingDir, Optional<String> user,
                          List<String> entrypoint, List<String> cmd, List<String> exposedPorts) {

    public ImageConfig {
        env = List.copyOf(env);
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        exposedPorts = List.copyOf(exposedPorts);
    }

    /** An image config with nothing set. */
    public static ImageConfig empty() {
        return new ImageConfig(List.of(), Optional.empty(), Optional.empty(), List.of(), List.of(), List.of());
    }

    /** Entrypoint then Cmd, as {@code docker run IMAGE} runs them. */
    public List<String> command() {
        List<String> command = new ArrayList<>(entrypoint);
        command.addAll(cmd);
        return List.copyOf(command);
    }

    /** Reads the {@code config} member of an image config document; {@code where} names the blob for errors. */
    static ImageConfig fromDocument(Map<String, Object> document, String where) {
        Object config = document.get("config");
        if (config == null) {
            return empty();
        }
        if (!(config instanceof Map<?, ?> map)) {
            throw new ImageException(where + " has a \"config\" that is not an object");
        }
        return new ImageConfig(strings(map.get("Env"), where, "Env"), text(map.get("WorkingDir"), where, "WorkingDir"),
                text(map.get("User"), where, "User"), strings(map.get("Entrypoint"), where, "Entrypoint"),
                strings(map.get("Cmd"), where, "Cmd"), keys(map.get("ExposedPorts"), where));
    }

    private static Optional<String> text(Object value, String where, String key) {
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String s)) {
            throw new ImageException(where + " has config." + key + " that is not a string");
        }
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    private static List<String> strings(Object value, String where, String key) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
            throw new ImageException(where + " has config." + key + " that is not a list of strings");
        }
        return list.stream().map(String.class::cast).toList();
    }

    private static List<String> keys(Object value, String where) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new ImageException(where + " has config.ExposedPorts that is not an object");
        }
        return map.keySet().stream().map(String::valueOf).toList();
    }
}
