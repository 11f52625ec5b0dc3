package dev.containerized.junit.internal;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.host.FaultInjection;
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
 * starting). The container is there while the run discovers its tests and often while its first test
 * starts (a single quick class reaches its first test in about the time the preparation takes): that
 * first start then competes with the end of the warm-up, and costs a few warm ones instead of ten. It
 * runs once per class loader (a JVM, for Surefire), leaves nothing behind once the sessions close, and
 * fails silently (the first test's own start reports what is wrong, where a test sees it). The
 * launcher (Surefire, Gradle, IDEs) loads it by itself, through {@code META-INF/services}.
 * {@code -Dcontainerized.prepare=false} turns it off.
 */
public final class EarlyPreparation implements LauncherSessionListener {
    static final String PROPERTY = "containerized.prepare";
    private static final System.Logger LOG = System.getLogger(EarlyPreparation.class.getName());
    private static final Duration LONGEST_WAIT_AT_CLOSE = Duration.ofSeconds(30);
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final CountDownLatch FINISHED = new CountDownLatch(1);
    /** Guards the two below: the container starts only while a session is open, and a close waits for it. */
    private static final Object LOCK = new Object();
    private static int openSessions;
    private static boolean containerInFlight;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        synchronized (LOCK) {
            openSessions++;
        }
        if (Boolean.parseBoolean(System.getProperty(PROPERTY, "true")) && STARTED.compareAndSet(false, true)) {
            Thread thread = new Thread(EarlyPreparation::prepareAndWarmUp, "containerized-preparation");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * A run shorter than the preparation (one quick test without containers) would otherwise end the JVM
     * with the throwaway container half made or still open: its PID 1 dies with the JVM, but its state
     * directory and cgroup would stay until the next run's sweep. So the last session's close keeps a
     * container that has not started from starting, and waits for one that has.
     */
    @Override
    public void launcherSessionClosed(LauncherSession session) {
        synchronized (LOCK) {
            openSessions--;
            long deadline = System.nanoTime() + LONGEST_WAIT_AT_CLOSE.toNanos();
            try {
                while (containerInFlight && deadline - System.nanoTime() > 0) {
                    LOCK.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void prepareAndWarmUp() {
        try {
            Preparation.prepare();
            if (HostSupport.problem().isEmpty() && beginContainer()) {
                try (Container warmUp = Container.start(ContainerSpec.builder().build())) {
                    warmUp.exec("true");
                } finally {
                    endContainer();
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
     * Whether to start the container: not once every session is closed (the JVM may be ending), and not
     * under fault injection, where it would stop at the named phase as the test's own container should.
     */
    private static boolean beginContainer() {
        synchronized (LOCK) {
            containerInFlight = openSessions > 0 && System.getProperty(FaultInjection.PROPERTY) == null;
            return containerInFlight;
        }
    }

    private static void endContainer() {
        synchronized (LOCK) {
            containerInFlight = false;
            LOCK.notifyAll();
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
