package dev.containerized.rootfs;

import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The members of an uncompressed tar (a {@code docker save} archive), read in place: the archive is
 * indexed once by reading its headers only (the data is skipped with seeks), then each member is read
 * from its offset. Symlinks and hard links between members (docker save links {@code <id>/layer.tar}
 * to the blob) are followed inside the archive only.
 */
final class ArchiveBlobStore implements BlobStore {
    private static final int MAX_LINK_HOPS = 16;

    private record Member(long offset, long size, TarEntry.Type type, String link) {
    }

    private final Path archive;
    private final Map<String, Member> members = new HashMap<>();

    private ArchiveBlobStore(Path archive) {
        this.archive = archive;
    }

    static ArchiveBlobStore index(Path archive) throws IOException {
        ArchiveBlobStore store = new ArchiveBlobStore(archive);
        try (InputStream in = new BufferedInputStream(new FileInputStream(archive.toFile()), 64 * 1024)) {
            in.mark(2);
            byte[] magic = in.readNBytes(2);
            in.reset();
            if (magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
                throw new ImageException(archive + " is gzip-compressed; a docker-archive must be the plain tar that "
                        + "docker save writes: decompress it first (gunzip -k " + archive.getFileName() + ")");
            }
            TarReader tar = new TarReader(in, "the archive " + archive);
            for (TarEntry entry = tar.next(); entry != null; entry = tar.next()) {
                try {
                    String name = LayerPaths.normalize(entry.name());
                    store.members.put(name, new Member(tar.position(), entry.size(), entry.type(), entry.linkName()));
                } catch (LayerPaths.BadName ignored) {
                    // A member no image file can be: never looked up.
                }
            }
        } catch (TarException e) {
            throw new ImageException(e.getMessage() + "; is it a docker save archive?", e);
        }
        return store;
    }

    @Override
    public String describe() {
        return "the archive " + archive;
    }

    @Override
    public boolean exists(String name) {
        return find(name) != null;
    }

    @Override
    public InputStream open(String name) throws IOException {
        Member member = find(name);
        if (member == null) {
            throw new ImageException(describe() + " has no member " + name + " (or only a link that leads out of the archive);"
                    + " the archive is incomplete, save the image again");
        }
        FileInputStream in = new FileInputStream(archive.toFile());
        try {
            in.getChannel().position(member.offset());
            return new BoundedInputStream(new BufferedInputStream(in, 256 * 1024), member.size());
        } catch (IOException e) {
            in.close();
            throw e;
        }
    }

    /** The regular member a name leads to, through links inside the archive; null when none. */
    private Member find(String name) {
        String current;
        try {
            current = LayerPaths.normalize(name);
        } catch (LayerPaths.BadName e) {
            return null;
        }
        for (int hop = 0; hop < MAX_LINK_HOPS; hop++) {
            Member member = members.get(current);
            if (member == null) {
                return null;
            }
            switch (member.type()) {
                case REGULAR -> {
                    return member;
                }
                case HARD_LINK -> current = resolve("", member.link());
                case SYMLINK -> current = resolve(LayerPaths.parent(current), member.link());
                default -> {
                    return null;
                }
            }
            if (current == null) {
                return null;
            }
        }
        return null;
    }

    /** A link target resolved lexically against its directory; null when it climbs out of the archive. */
    private static String resolve(String directory, String target) {
        Deque<String> parts = new ArrayDeque<>();
        String joined = target.startsWith("/") ? target : directory + "/" + target;
        for (String part : joined.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    return null;
                }
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        return String.join("/", parts);
    }

    /** At most {@code limit} bytes of the underlying stream, then end of file. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long left;

        BoundedInputStream(InputStream in, long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(buffer, offset, (int) Math.min(length, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
