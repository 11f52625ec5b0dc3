package dev.containerized.cli;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerException;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.Mount;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar containerized.jar run [options] -- CMD [ARGS]}: the command as PID 1 of a fresh
 * container, like the talk's {@code go run main.go run /bin/sh}. The exit status is the command's.
 */
public final class Main {
    static final String USAGE = """
            usage: containerized run [--hostname H] [--pids-max N] [--memory SIZE] [--rootfs DIR]
                                     [--env NAME=VALUE]... [--workdir DIR] [--user USER]
                                     [-v HOST:CONTAINER[:rw]]... [--tmpfs PATH[:SIZE]]... [--read-only]
                                     [--cpus N] [--cpuset-cpus LIST] -- CMD [ARGS...]
              Runs CMD as PID 1 of a new container (pid, mount, uts, ipc, net and cgroup namespaces,
              an overlay over the rootfs, a pids and memory cgroup) with this terminal, and exits
              with its status. The rootfs defaults to the built-in busybox one. Needs root.
              example: containerized run --hostname box --pids-max 20 --memory 64m -- /bin/sh""";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0 || !args[0].equals("run")) {
            System.err.println(args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))
                    ? USAGE : "containerized: expected the command 'run'\n" + USAGE);
            return 2;
        }
        ContainerSpec.Builder spec = ContainerSpec.builder();
        int i = 1;
        try {
            for (; i < args.length && !args[i].equals("--"); i++) {
                String option = args[i];
                if (option.equals("--help") || option.equals("-h")) {
                    System.out.println(USAGE);
                    return 0;
                }
                if (option.equals("--read-only")) {
                    spec.readOnlyRootfs(true);
                    continue;
                }
                String value = value(args, i++, option);
                switch (option) {
                    case "--hostname" -> spec.hostname(value);
                    case "--pids-max" -> spec.pidsLimit(number(option, value));
                    case "--memory" -> spec.memoryLimit(value);
                    case "--cpus" -> spec.cpus(value);
                    case "--cpuset-cpus" -> spec.cpuset(value);
                    case "--rootfs" -> spec.rootfs(Path.of(value));
                    case "--workdir" -> spec.workingDirectory(value);
                    case "--user", "-u" -> spec.user(value);
                    case "--volume", "-v" -> spec.mount(volume(value));
                    case "--tmpfs" -> {
                        int colon = value.indexOf(':');
                        spec.tmpfs(colon < 0 ? value : value.substring(0, colon), colon < 0 ? "64m" : value.substring(colon + 1));
                    }
                    case "--env" -> {
                        int eq = value.indexOf('=');
                        if (eq < 0) {
                            throw new IllegalArgumentException("--env takes NAME=VALUE, got '" + value + "'");
                        }
                        spec.env(value.substring(0, eq), value.substring(eq + 1));
                    }
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
            List<String> command = i < args.length ? Arrays.asList(args).subList(i + 1, args.length) : List.of();
            if (command.isEmpty()) {
                throw new IllegalArgumentException("no command: put it after '--', such as: run -- /bin/sh");
            }
            return Container.runInteractive(spec.build(), command.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            System.err.println("containerized: " + e.getMessage() + "\n" + USAGE);
            return 2;
        } catch (ContainerException e) {
            System.err.println("containerized: " + e.getMessage());
            return 125;
        }
    }

    /** {@code HOST:CONTAINER[:ro|:rw]}, read-only unless {@code :rw}, as the README says (docker's default is rw). */
    private static Mount volume(String value) {
        String[] parts = value.split(":");
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()
                || (parts.length == 3 && !parts[2].equals("ro") && !parts[2].equals("rw"))) {
            throw new IllegalArgumentException("--volume takes HOST:CONTAINER, HOST:CONTAINER:ro or HOST:CONTAINER:rw, got '" + value + "'");
        }
        Mount mount = Mount.bind(Path.of(parts[0]), parts[1]);
        return parts.length == 3 && parts[2].equals("rw") ? mount.readWrite() : mount;
    }

    private static String value(String[] args, int i, String option) {
        if (i + 1 >= args.length || args[i + 1].equals("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i + 1];
    }

    private static long number(String option, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, got '" + value + "'");
        }
    }
}
