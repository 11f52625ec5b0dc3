package dev.containerized.container.host;

import dev.containerized.container.ContainerSpec;
import dev.containerized.internal.linux.Fd;
import dev.containerized.internal.linux.Unistd;

import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.List;
import java.util.Optional;

/**
 * One command as PID 1 is asked to start it: argv, the whole environment, working directory, user,
 * stdin, and how its output is kept.
 *
 * @param uid    the user id, or empty to stay root
 * @param gid    the group id, or empty to stay root
 * @param groups supplementary groups (with a uid)
 * @param outputCharset how the result's stdout and stderr are decoded
 */
public record ExecRequest(List<String> argv, List<String> env, String workingDirectory, Optional<Integer> uid,
                          Optional<Integer> gid, List<Integer> groups, Optional<Stdin> stdin, long outputLimit,
                          RunningCommand.OutputListener listener, boolean newSession, Charset outputCharset) {

    public ExecRequest {
        argv = List.copyOf(argv);
        env = List.copyOf(env);
        groups = List.copyOf(groups);
    }

    /** The same command with its stdin from {@code stdin} and its output streamed to {@code listener}, barely kept. */
    ExecRequest withStdio(Stdin stdin, RunningCommand.OutputListener listener) {
        return new ExecRequest(argv, env, workingDirectory, uid, gid, groups, Optional.of(stdin), 64 * 1024, listener, newSession,
                outputCharset);
    }

    /** The same command with its output also seen, chunk by chunk, by {@code listener}. */
    public ExecRequest withListener(RunningCommand.OutputListener listener) {
        return new ExecRequest(argv, env, workingDirectory, uid, gid, groups, stdin, outputLimit, listener, newSession, outputCharset);
    }

    /** The PATH the command's name is looked up in, as PID 1 does: its environment's, else the default. */
    String pathVariable() {
        return env.stream().filter(e -> e.startsWith("PATH=")).map(e -> e.substring(5)).reduce((a, b) -> b).orElse(ContainerSpec.DEFAULT_PATH);
    }

    byte[] encode(int type, int id, int extraFlags) {
        int flags = (newSession ? Pid1Protocol.SETSID : 0) | extraFlags;
        return Pid1Protocol.exec(type, id, flags, uid.orElse(Pid1Protocol.KEEP_ID), gid.orElse(Pid1Protocol.KEEP_ID),
                groups.stream().mapToInt(Integer::intValue).toArray(), workingDirectory, argv, env);
    }

    /** Where a command's stdin comes from: bytes or a stream, written into a pipe by a thread of its own. */
    public interface Stdin {
        /** The pipe: the read end goes to the command, the write end to {@link #feed}. */
        default Fd[] open() {
            return Unistd.pipe();
        }

        /** Writes everything into {@code pipe} and closes it, without blocking the caller, for as long as {@code command} runs. */
        void feed(Fd pipe, RunningCommand command);

        static Stdin of(byte[] bytes) {
            return from(() -> new java.io.ByteArrayInputStream(bytes));
        }

        static Stdin from(java.util.function.Supplier<InputStream> source) {
            return (pipe, command) -> new StdinFeeder(source, pipe, command).start();
        }
    }
}
