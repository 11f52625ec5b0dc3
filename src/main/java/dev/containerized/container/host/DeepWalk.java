package dev.containerized.container.host;

import dev.containerized.container.ContainerException;

import java.util.concurrent.Callable;

/**
 * Copies walk a tree one level per call. A container makes trees as deep as PATH_MAX allows (2000
 * levels and more), deeper than a test thread's stack goes: the walk runs on a thread of its own whose
 * stack holds that many levels (reserved, not used, until a walk goes that deep), and the caller waits.
 */
final class DeepWalk {
    /** Enough for PATH_MAX / 2 levels of the copies' frames, many times over. */
    private static final long STACK = 64L << 20;

    private DeepWalk() {
    }

    static <T> T run(String name, Callable<T> walk) throws Exception {
        Object[] result = new Object[1];
        Exception[] failure = new Exception[1];
        Thread thread = new Thread(null, () -> {
            try {
                result[0] = walk.call();
            } catch (Exception e) {
                failure[0] = e;
            } catch (StackOverflowError e) {
                failure[0] = new ContainerException("the tree is too deep to copy", null);
            }
        }, name, STACK);
        thread.setDaemon(true);
        thread.start();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join(); // not cut short: the walk holds descriptors and half-made files until it ends
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        @SuppressWarnings("unchecked")
        T t = (T) result[0];
        return t;
    }
}
