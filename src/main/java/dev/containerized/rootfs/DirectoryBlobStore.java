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
        try {
            return Files.newInputStream(directory.resolve(name));
        } catch (NoSuchFileException e) {
            throw new ImageException(describe() + " has no " + name + "; the layout is incomplete (copy the image again)", e);
        }
    }
}
