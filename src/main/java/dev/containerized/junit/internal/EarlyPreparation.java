package dev.containerized.junit.internal;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.host.HostSupport;
import dev.containerized.container.host.Preparation;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Not API. When a JUnit run starts (before its tests are discovered), does on a background thread what
 * the run's first container start would otherwise pay for: {@link Preparation} (JNA, class loading, the
 * rootfs, the seccomp compiler), then one throwaway container of the default spec that runs
 * {@code true} and is closed. Loading classes alone left a first start at ~10 × a warm one: its code
 * still ran for the first time (lambdas and string concatenations linked, the interpreter, the JIT
 * starting); after one whole container, the first test's start costs a few warm ones. It
 * runs once per JVM, leaves nothing behind, and fails silently (the first test's own start reports what
 * is wrong, where a test sees it). The launcher (Surefire, Gradle, IDEs) loads it by itself, through
 * {@code META-INF/services}. {@code -Dcontainerized.prepare=false} turns it off.
 */
public final class EarlyPreparation implements LauncherSessionListener {
    static final String PROPERTY = "containerized.prepare";
    private static final System.Logger LOG = System.getLogger(EarlyPreparation.class.getName());
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final CountDownLatch FINISHED = new CountDownLatch(1);

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (Boolean.parseBoolean(System.getProperty(PROPERTY, "true")) && STARTED.compareAndSet(false, true)) {
            Thread thread = new Thread(EarlyPreparation::prepareAndWarmUp, "containerized-preparation");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * A run shorter than the preparation (one quick test without containers) would otherwise end the JVM
     * with the throwaway container still open: its PID 1 dies with the JVM, but its state directory and
     * cgroup would stay until the next run's sweep.
     */
    @Override
    public void launcherSessionClosed(LauncherSession session) {
        try {
            awaitFinished(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void prepareAndWarmUp() {
        try {
            Preparation.prepare();
            if (HostSupport.problem().isEmpty()) {
                try (Container warmUp = Container.start(ContainerSpec.builder().build())) {
                    warmUp.exec("true");
                }
            }
        } catch (RuntimeException | Error e) {
            // The first test's own start does the same and reports what fails, where a test sees it.
            LOG.log(System.Logger.Level.DEBUG, "the early preparation failed; the first start will say why", e);
        } finally {
            FINISHED.countDown();
        }
    }

    /**
     * Waits until the preparation of this JVM, if any was started, is over and its container gone: for a
     * check of what containers leave on the host, which would otherwise see the throwaway one.
     */
    public static boolean awaitFinished(Duration timeout) throws InterruptedException {
        return !STARTED.get() || FINISHED.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
