package dev.containerized.rootfs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The files of an OCI image layout directory. Names come from fixed strings and checked digests only. */
final class DirectoryBlobStore implements BlobStore {
    private final Path directory;

    DirectoryBlobStore(Path directory) {
        this.directory = directory;
    }

    @Override
    public String describe() {
        return "the OCI layout " + directory;
    }

    @Override
    public boolean exists(String name) {
        return Files.isRegularFile(directory.resolve(name));
    }

    @Override
    public InputStream open(String name) throws IOException {
        Path file = directory.resolve(name);
        // A link to /dev/zero or a fifo where a blob should be would be read, or waited on, forever.
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new ImageException(describe() + " has a " + name + " that is not a regular file (a device, fifo or "
                    + "directory, or a link to one); it is not an image's blob");
        }
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new ImageException(describe() + " has no " + name + "; the layout is incomplete (copy the image again)", e);
        }
    }
}
