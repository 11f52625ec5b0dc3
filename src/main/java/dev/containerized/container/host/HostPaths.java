package dev.containerized.container.host;

import dev.containerized.container.ContainerException;
import dev.containerized.internal.linux.Errno;
import dev.containerized.internal.linux.Fcntl;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.LinuxException;
import dev.containerized.internal.text.ControlCharacters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import static dev.containerized.internal.linux.Fcntl.O_CLOEXEC;
import static dev.containerized.internal.linux.Fcntl.O_DIRECTORY;
import static dev.containerized.internal.linux.Fcntl.O_NOFOLLOW;
import static dev.containerized.internal.linux.Fcntl.O_PATH;

/**
 * The directories of a test's host path for copyTo and copyFrom, opened one name at a time from "/",
 * as the kernel resolves a path, with one difference: a symbolic link found in a directory that an open
 * container can write (a read-write bind's source, or below it) is refused, not followed. A process in
 * that container may have put it there, before the copy or during it, to turn the copy onto any host
 * file: this JVM copies as root. Links anywhere else are the test's own, and are followed.
 */
final class HostPaths {
    /** As the kernel: more links than this in one path is a loop (ELOOP). */
    private static final int MAX_LINKS = 40;

    private final List<String> writableByContainers;
    private final String copy;

    /**
     * @param writableByContainers the real paths of the directories containers can write
     * @param copy                 the copy, as an error message names it ("cannot copy … to …")
     */
    private HostPaths(List<String> writableByContainers, String copy) {
        this.writableByContainers = writableByContainers;
        this.copy = copy;
    }

    /**
     * The directory {@code dir} (absolute) as an O_PATH descriptor; with {@code make}, the directories
     * missing on the way are made, as {@code mkdir -p} would.
     */
    static Fd openDirectory(Path dir, boolean make, String copy) {
        return new HostPaths(OpenContainers.hostDirectoriesTheyCanWrite(), copy).open(dir, make);
    }

    private Fd open(Path dir, boolean make) {
        Deque<String> names = new ArrayDeque<>();
        dir.normalize().forEach(name -> names.add(name.toString()));
        Fd current = Fcntl.open("/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        int links = 0;
        try {
            while (!names.isEmpty()) {
                String name = names.pollFirst();
                if (name.isEmpty() || name.equals(".")) {
                    continue;
                }
                Fd next = Fcntl.openatOrNull(current, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (next == null && make) {
                    next = makeDirectory(current, name);
                }
                if (next == null) {
                    throw new LinuxException("open(\"" + ControlCharacters.escape(name) + "\" in " + where(current) + ")", Errno.ENOENT);
                }
                Fcntl.FileStat stat = Fcntl.stat(next);
                if (stat.isSymlink()) {
                    String target;
                    try (Fd link = next) {
                        requireNotMadeByAContainer(current, name);
                        if (++links > MAX_LINKS) {
                            throw new LinuxException("open(" + dir + ")", Errno.ELOOP);
                        }
                        target = Fcntl.readlink(link);
                    }
                    List<String> targetNames = new java.util.ArrayList<>();
                    Path.of(target).forEach(n -> targetNames.add(n.toString()));
                    for (int i = targetNames.size() - 1; i >= 0; i--) {
                        names.addFirst(targetNames.get(i));
                    }
                    if (target.startsWith("/")) {
                        current.close();
                        current = Fcntl.open("/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
                    }
                    continue;
                }
                if (!stat.isDirectory()) {
                    next.close();
                    throw new LinuxException("open(\"" + ControlCharacters.escape(name) + "\" in " + where(current) + ")", Errno.ENOTDIR);
                }
                current.close();
                current = next;
            }
            return current;
        } catch (RuntimeException e) {
            current.close();
            throw e;
        }
    }

    /** mkdir, by descriptor; another maker first is fine. The new directory, opened. */
    private static Fd makeDirectory(Fd parent, String name) {
        try {
            Fcntl.mkdirat(parent, name, 0755, name);
        } catch (LinuxException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
        return Fcntl.openatOrNull(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    }

    private void requireNotMadeByAContainer(Fd directory, String name) {
        String path = where(directory);
        for (String writable : writableByContainers) {
            if (path.equals(writable) || path.startsWith(writable.endsWith("/") ? writable : writable + "/")) {
                throw new ContainerException(copy + ": " + ControlCharacters.escape(join(path, name)) + " is a symbolic link in "
                        + writable + ", a directory a running container can write (a read-write bind), where a process of it may "
                        + "have made it: a copy never follows such a link. Give the path without it (the directory the link "
                        + "names, if that is the one meant)");
            }
        }
    }

    /** Where {@code directory} is on the host now, as /proc names it. */
    private static String where(Fd directory) {
        try {
            return Files.readSymbolicLink(Path.of(directory.procPath())).toString();
        } catch (IOException e) {
            return directory.toString();
        }
    }

    private static String join(String directory, String name) {
        return directory.endsWith("/") ? directory + name : directory + "/" + name;
    }
}
