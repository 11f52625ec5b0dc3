package dev.containerized.container.net;

import java.util.concurrent.Callable;

/**
 * Runs code where sockets of one container's loopback are made: the container's own thread, the one
 * thread in its network namespace. A socket's namespace is fixed when it is made, so a socket made
 * there can be connected, accepted on and read from any thread afterwards. Only quick socket creation
 * runs there: that thread cannot start threads and must never run a user's code.
 */
@FunctionalInterface
public interface NetworkNamespace {
    <T> T call(Callable<T> task) throws Exception;
}
