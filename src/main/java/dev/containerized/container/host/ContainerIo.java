package dev.containerized.container.host;

import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.Poll;
import dev.containerized.internal.linux.Unistd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * A container's I/O thread: one poll(2) loop over PID 1's events, PID 1's log, and the output pipes of
 * every command, so that a command costs no thread. Output listeners run here: they should be quick.
 * <p>
 * A command's result comes when it exited and its pipes reached end of file; when processes it left in
 * the background hold them open, {@link #OUTPUT_GRACE} after it exited, with all it wrote itself (the
 * pipes are drained first) — never only when those processes end, which may be never.
 * <p>
 * When PID 1 ends (the control socket reaches end of file), the commands still waiting for a result
 * are told why the container ended; the loop ends once every pipe is closed.
 * <p>
 * When the loop fails (an exception, or an Error such as OutOfMemoryError), the container ends: the
 * control socket is closed, which kills PID 1, and the commands still waiting are told that the I/O
 * thread failed, and with what.
 */
final class ContainerIo {
    private static final int CHUNK = 64 * 1024;
    private static final int LOG_LIMIT = 64 * 1024;
    /** How long after its exit a command's result waits for the end of output that background processes hold. */
    static final Duration OUTPUT_GRACE = Duration.ofSeconds(1);
    /** At most this much is drained from a pipe when the grace ends: 16 reads, the largest pipe buffer by default (1 MiB). */
    private static final int DRAIN_READS = 16;

    /** A pipe being read: a command's stdout or stderr. */
    private record Stream(Fd fd, RunningCommand command, int which) {
    }

    private final String id;
    private final Pid1Channel channel;
    private final EventReader events;
    private final Fd log;
    private final Supplier<String> endReason;
    private final Fd wakeup = Poll.eventFd();
    private final Map<Integer, RunningCommand> commands = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Stream> added = new ConcurrentLinkedQueue<>();
    private final List<Stream> streams = new ArrayList<>();
    /** Commands that exited while their pipes stayed open, and when to stop waiting for them (System.nanoTime). */
    private final Map<RunningCommand, Long> lingering = new java.util.HashMap<>();
    private final OutputBuffer initLog = new OutputBuffer(LOG_LIMIT);
    private final Thread thread;
    private final byte[] chunk = new byte[CHUNK];
    private volatile String ended;
    /** Set once the loop ended; guarded by this. */
    private boolean stopped;
    private boolean controlOpen = true;
    private boolean logOpen = true;
    /** PID-1 runs: PID 1 becomes the command, which closes the control socket at its execve. */
    private final boolean controlEndsAtExec;

    /**
     * @param endReason why the container ended, asked once PID 1 is gone (its exit status, or the
     *                  reason it was closed for)
     */
    ContainerIo(String id, Pid1Channel channel, EventReader events, Fd log, Supplier<String> endReason, boolean controlEndsAtExec) {
        this.id = id;
        this.channel = channel;
        this.events = events;
        this.log = log;
        this.endReason = endReason;
        this.controlEndsAtExec = controlEndsAtExec;
        this.thread = new Thread(null, this::loop, "containerized-io-" + id, 256 * 1024);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Watches {@code command}'s pipes and routes PID 1's events about it; call before the request goes out. */
    void register(RunningCommand command, Fd stdout, Fd stderr) {
        synchronized (this) {
            if (!stopped) {
                commands.put(command.id(), command);
                added.add(new Stream(stdout, command, RunningCommand.STDOUT));
                added.add(new Stream(stderr, command, RunningCommand.STDERR));
                Poll.wake(wakeup);
                return;
            }
        }
        // The loop has ended (the container was closed meanwhile): nobody else would close them.
        stdout.close();
        stderr.close();
    }

    /** Routes PID 1's events about {@code command}, which has no pipes (it runs on a terminal). */
    void register(RunningCommand command) {
        commands.put(command.id(), command);
    }

    /** Forgets a command whose request could not be sent; its pipes are closed by the caller. */
    void unregister(RunningCommand command) {
        commands.remove(command.id());
    }

    /** Why the container ended, once it did; null while it runs. */
    String ended() {
        return ended;
    }

    /** The tail of PID 1's own log (its stderr). */
    String initLog() {
        return initLog.text();
    }

    boolean awaitEnd(Duration timeout) {
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    private void loop() {
        Poll.Set set = new Poll.Set();
        try {
            while (controlOpen || logOpen || !streams.isEmpty() || !added.isEmpty()) {
                Stream stream;
                while ((stream = added.poll()) != null) {
                    streams.add(stream);
                }
                set.clear();
                int wake = set.set(wakeup.number(), Poll.POLLIN);
                int control = controlOpen ? set.set(channel.socket().number(), Poll.POLLIN) : -1;
                int logIndex = logOpen ? set.set(log.number(), Poll.POLLIN) : -1;
                int first = -1;
                for (Stream s : streams) {
                    int index = set.set(s.fd.number(), Poll.POLLIN);
                    first = first < 0 ? index : first;
                }
                set.await(lingeringTimeout());
                if (set.revents(wake) != 0) {
                    Poll.drain(wakeup);
                }
                if (control >= 0 && set.revents(control) != 0) {
                    readEvents();
                }
                if (logIndex >= 0 && set.revents(logIndex) != 0) {
                    readLog();
                }
                if (first >= 0) {
                    readStreams(set, first);
                }
                stopWaitingForLingeringOutput();
            }
        } catch (RuntimeException e) {
            failed(e);
        } catch (Error e) {
            // An OutOfMemoryError too: the allocation that failed is not held, so there is room to say why
            // the container ends. Without this the finally below ended it all the same (PID 1 dies with its
            // control socket), but silently, and the commands still running waited for a result forever.
            failed(e);
            throw e; // and on stderr, by the thread's uncaught exception handler, with its stack trace
        } finally {
            synchronized (this) {
                stopped = true; // no register adds pipes nobody reads, or wakes a closed eventfd, from now on
            }
            Stream unread;
            while ((unread = added.poll()) != null) {
                unread.fd.close();
            }
            wakeup.close();
            log.close();
            channel.close();
        }
    }

    /** The loop failed: the container ends (the control socket is closed next), and says why to each command. */
    private void failed(Throwable e) {
        ended = "its I/O thread failed: " + e;
        commands.values().forEach(c -> c.abandoned("container " + id + " ended because " + ended));
        streams.forEach(s -> s.fd.close());
    }

    private void readEvents() {
        List<Pid1Protocol.Event> read = events.read();
        if (read == null) {
            controlOpen = false;
            if (!controlEndsAtExec) {
                pid1Ended();
            }
            return;
        }
        for (Pid1Protocol.Event event : read) {
            RunningCommand command = commands.get(event.word(0));
            if (command == null) {
                continue;
            }
            switch (event.type()) {
                case Pid1Protocol.STARTED -> command.started(event.word(1));
                case Pid1Protocol.FAILED -> {
                    commands.remove(command.id());
                    command.failed(event.word(1), event.word(2));
                }
                case Pid1Protocol.EXITED -> {
                    commands.remove(command.id());
                    if (!command.exited(event.word(1))) {
                        lingering.put(command, System.nanoTime() + OUTPUT_GRACE.toNanos());
                    }
                }
                default -> {
                    byte[] note = ("containerized: unexpected event " + event.type() + " from PID 1\n").getBytes();
                    initLog.append(note, note.length);
                }
            }
        }
    }

    /** Milliseconds until the first lingering command's grace ends; -1 (no timeout) when none lingers. */
    private int lingeringTimeout() {
        long now = System.nanoTime();
        return lingering.values().stream().mapToLong(deadline -> Math.max(0, (deadline - now + 999_999) / 1_000_000))
                .mapToInt(ms -> (int) Math.min(ms, Integer.MAX_VALUE)).min().orElse(-1);
    }

    /** Results of lingering commands: complete already (their pipes closed), or due now, after a last drain. */
    private void stopWaitingForLingeringOutput() {
        long now = System.nanoTime();
        Iterator<Map.Entry<RunningCommand, Long>> it = lingering.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<RunningCommand, Long> entry = it.next();
            RunningCommand command = entry.getKey();
            if (!command.isAlive()) {
                it.remove();
            } else if (now - entry.getValue() >= 0) {
                it.remove();
                drain(command);
                command.stopWaitingForOutput();
            }
        }
    }

    /** Reads what is in {@code command}'s pipes now: all its process wrote before it exited is there. */
    private void drain(RunningCommand command) {
        Poll.Set set = new Poll.Set();
        for (Stream s : streams) {
            if (s.command != command) {
                continue;
            }
            for (int i = 0; i < DRAIN_READS; i++) {
                set.clear();
                set.set(s.fd.number(), Poll.POLLIN);
                if (set.await(0) == 0 || (set.revents(0) & Poll.POLLIN) == 0) {
                    break;
                }
                int n = Unistd.read(s.fd.number(), chunk, chunk.length);
                if (n <= 0 || !s.command.output(s.which, chunk, n)) {
                    break; // end of file, or nobody reads on: readStreams closes it on the next round
                }
            }
        }
    }

    /** Every process of the container is dead: no command still waiting will hear of its end. */
    private void pid1Ended() {
        ended = endReason.get();
        String why = "container " + id + " ended because " + ended;
        for (RunningCommand command : commands.values()) {
            command.abandoned(why + " while " + command.command() + " ran");
        }
        commands.clear();
    }

    private void readLog() {
        int n = Unistd.read(log.number(), chunk, chunk.length);
        if (n <= 0) {
            logOpen = false;
        } else {
            initLog.append(chunk, n);
        }
    }

    private void readStreams(Poll.Set set, int first) {
        Iterator<Stream> it = streams.iterator();
        for (int index = first; it.hasNext(); index++) {
            Stream s = it.next();
            if (set.revents(index) == 0) {
                continue;
            }
            // One read per wakeup: poll said it will not block. A stream whose reader is gone is closed
            // as at its end: the command's next write to it fails.
            int n = Unistd.read(s.fd.number(), chunk, chunk.length);
            if (n <= 0 || !s.command.output(s.which, chunk, n)) {
                it.remove();
                s.fd.close();
                s.command.streamClosed();
            }
        }
    }

    /** Whether the calling thread is this one's. */
    boolean isCurrentThread() {
        return Thread.currentThread() == thread;
    }
}
