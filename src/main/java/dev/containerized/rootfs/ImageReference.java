package dev.containerized.rootfs;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where an image is, in skopeo's transport syntax: {@code oci:DIR[:TAG]} for an OCI image layout
 * directory, {@code docker-archive:FILE[:NAME:TAG|:@INDEX]} for a {@code docker save} tar. As in
 * skopeo, the path ends at the first ':' after the transport. Only local transports exist: images are
 * used offline, never pulled.
 * <p>
 * {@link #parse} checks only the syntax, so that a container spec can be refused before anything is
 * created; whether the files exist is checked when the image is resolved.
 *
 * @param tag for {@code oci:}, the tag in the layout's index (its {@code org.opencontainers.image.ref.name});
 *            for {@code docker-archive:}, the image's {@code NAME:TAG} or {@code @INDEX} in the archive;
 *            empty when the layout or archive holds a single image
 */
public record ImageReference(Transport transport, String path, Optional<String> tag) {

    /** The local transports, by their skopeo names. */
    public enum Transport {
        OCI("oci"), DOCKER_ARCHIVE("docker-archive");

        private final String prefix;

        Transport(String prefix) {
            this.prefix = prefix;
        }

        public String prefix() {
            return prefix;
        }

        static String known() {
            return Arrays.stream(values()).map(t -> t.prefix + ":").collect(Collectors.joining(", "));
        }
    }

    private static final String FORMS = "expected oci:DIR[:TAG] or docker-archive:FILE.tar[:NAME:TAG]";
    private static final String OFFLINE = "images are used offline, never pulled from a registry; copy one first, "
            + "e.g. skopeo copy docker://alpine:3 oci:images/alpine:3";

    /** Parses and checks the syntax; throws {@link IllegalArgumentException} naming the problem and the expected form. */
    public static ImageReference parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the image reference is empty; " + FORMS);
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("the image reference \"" + text + "\" has no transport; " + FORMS
                    + " (" + OFFLINE + ")");
        }
        String prefix = text.substring(0, colon);
        Transport transport = Arrays.stream(Transport.values()).filter(t -> t.prefix.equals(prefix)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown transport \"" + prefix + "\" in the image reference \""
                        + text + "\"; known transports: " + Transport.known() + " (" + OFFLINE + ")"));
        String rest = text.substring(colon + 1);
        int second = rest.indexOf(':');
        String path = second < 0 ? rest : rest.substring(0, second);
        Optional<String> tag = second < 0 ? Optional.empty() : Optional.of(rest.substring(second + 1));
        if (path.isEmpty()) {
            throw new IllegalArgumentException("the image reference \"" + text + "\" has no path after \"" + prefix
                    + ":\"; " + FORMS);
        }
        try {
            Path.of(path);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("the image reference \"" + text + "\" has an invalid path: " + e.getMessage(), e);
        }
        tag.ifPresent(t -> checkTag(text, transport, t));
        return new ImageReference(transport, path, tag);
    }

    private static void checkTag(String text, Transport transport, String tag) {
        if (tag.isEmpty()) {
            throw new IllegalArgumentException("the image reference \"" + text + "\" ends with ':' but names no "
                    + (transport == Transport.OCI ? "tag" : "image") + " after it; drop the ':' or add one");
        }
        if (tag.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new IllegalArgumentException("the image reference \"" + text + "\" has whitespace or a control character in \""
                    + tag + "\"");
        }
        if (transport == Transport.DOCKER_ARCHIVE && tag.startsWith("@") && !tag.substring(1).matches("[0-9]+")) {
            throw new IllegalArgumentException("the image reference \"" + text + "\" selects \"" + tag
                    + "\"; an index is written @0, @1 … (the n-th image of the archive's manifest.json)");
        }
    }

    /**
     * The image a docker-archive's {@code @N} selects among {@code images}, in the order of the archive's
     * manifest.json; {@code where} names the archive for the error when there are fewer.
     */
    static <T> T atIndex(List<T> images, String tag, String where) {
        long n = tag.length() > 10 ? Long.MAX_VALUE : Long.parseLong(tag.substring(1)); // checked digits, by parse
        if (n >= images.size()) {
            throw new ImageException(where + " holds " + images.size() + " images; there is no " + tag);
        }
        return images.get((int) n);
    }

    /** The path, relative ones resolved against {@code baseDirectory} (the project directory). */
    public Path resolvePath(Path baseDirectory) {
        return baseDirectory.resolve(path).toAbsolutePath().normalize();
    }

    @Override
    public String toString() {
        return transport.prefix + ":" + path + tag.map(t -> ":" + t).orElse("");
    }
}
