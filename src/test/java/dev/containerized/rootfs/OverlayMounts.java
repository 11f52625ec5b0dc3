package dev.containerized.rootfs;

import dev.containerized.internal.linux.Mounts;
import dev.containerized.internal.linux.Sched;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Mounts unpacked layers as a real overlay, as the runtime will, to look at the merged tree. The mount
 * happens on a thread of its own in a private mount namespace ({@code unshare(CLONE_FS|CLONE_NEWNS)}
 * works per thread), so no other thread of the JVM, and nothing on the host, sees it; it is unmounted
 * in a finally block all the same, and the namespace ends with the thread.
 */
final class OverlayMounts {
    interface Check {
        void inspect(Path merged) throws Exception;
    }

    private OverlayMounts() {
    }

    /** Mounts {@code lowerdir=} the given directories (top first) with a fresh upper and work directory under {@code scratch}. */
    static void inspect(List<Path> lowerDirsTopFirst, Path scratch, Check check) throws Exception {
        inspect(new ResolvedImage(lowerDirsTopFirst, ImageConfig.empty()).lowerdirOption(), scratch, check);
    }

    static void inspect(String lowerdirOption, Path scratch, Check check) throws Exception {
        Path base = Files.createTempDirectory(scratch, "overlay-");
        Path upper = Files.createDirectory(base.resolve("upper"));
        Path work = Files.createDirectory(base.resolve("work"));
        Path merged = Files.createDirectory(base.resolve("merged"));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                Sched.unshare(Sched.CLONE_FS | Sched.CLONE_NEWNS);
                Mounts.mount(null, "/", null, Mounts.MS_REC | Mounts.MS_PRIVATE, null);
                Mounts.mount("overlay", merged.toString(), "overlay", 0,
                        lowerdirOption + ",upperdir=" + upper + ",workdir=" + work);
                try {
                    check.inspect(merged);
                } finally {
                    Mounts.umount2(merged.toString(), 0);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "overlay-inspection");
        thread.start();
        thread.join();
        if (failure.get() instanceof Exception e) {
            throw e;
        }
        if (failure.get() instanceof Error e) {
            throw e;
        }
    }

    /** Whether the overlay is mounted anywhere the host sees: never, after {@link #inspect}. */
    static boolean visibleOnHost(Path under) throws Exception {
        return Files.readAllLines(Path.of("/proc/thread-self/mountinfo")).stream().anyMatch(l -> l.contains(under.toString()));
    }
}
