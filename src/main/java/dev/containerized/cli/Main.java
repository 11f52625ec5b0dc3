package dev.containerized.cli;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerException;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.Seccomp;

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
                                     [--security-opt seccomp=default|unconfined|PROFILE.json]
                                     [--env NAME=VALUE]... [--workdir DIR] -- CMD [ARGS...]
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
                String value = value(args, i++, option);
                switch (option) {
                    case "--hostname" -> spec.hostname(value);
                    case "--pids-max" -> spec.pidsLimit(number(option, value));
                    case "--memory" -> spec.memoryLimit(value);
                    case "--rootfs" -> spec.rootfs(Path.of(value));
                    case "--workdir" -> spec.workingDirectory(value);
                    case "--security-opt" -> securityOption(spec, value);
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

    /** Docker's {@code --security-opt}; of its options, seccomp is the one a container here has. */
    private static void securityOption(ContainerSpec.Builder spec, String value) {
        if (!value.startsWith("seccomp=")) {
            throw new IllegalArgumentException("--security-opt " + value + " is not supported: the one security option is"
                    + " seccomp=default, seccomp=unconfined or seccomp=PROFILE.json (a profile in Docker's JSON format)");
        }
        spec.seccomp(Seccomp.parse(value.substring("seccomp=".length())));
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
