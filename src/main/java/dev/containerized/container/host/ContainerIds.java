package dev.containerized.container.host;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Container ids: a random token of this JVM, a dash, a counter. The token tells this JVM's containers
 * (state directories, cgroups) from those of every other JVM on the host, which is what a leak check
 * needs when other test runs share the machine.
 */
public final class ContainerIds {
    private static final String TOKEN = token();
    private static final AtomicLong COUNTER = new AtomicLong();

    private ContainerIds() {
    }

    /** The prefix of every id made by this JVM, dash included. */
    public static String thisJvm() {
        return TOKEN + "-";
    }

    static String next() {
        return TOKEN + "-" + COUNTER.incrementAndGet();
    }

    private static String token() {
        byte[] bytes = new byte[5];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
