package dev.containerized.junit.internal;

import dev.containerized.container.host.Preparation;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Not API. When a JUnit run starts (before its tests are discovered), prepares on a background thread
 * what the run's first container start would do once per JVM: so the first test does not wait for JNA,
 * class loading and the seccomp compiler. The launcher (Surefire, Gradle, IDEs) loads it by itself,
 * through {@code META-INF/services}. {@code -Dcontainerized.prepare=false} turns it off.
 */
public final class EarlyPreparation implements LauncherSessionListener {
    static final String PROPERTY = "containerized.prepare";

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            Preparation.startInBackground();
        }
    }
}
