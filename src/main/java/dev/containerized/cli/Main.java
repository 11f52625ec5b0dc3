package dev.containerized.cli;

import dev.containerized.container.ContainerSpec;

import java.util.Arrays;

/**
 * {@code java -jar containerized-cli.jar run [options] -- CMD [ARGS]}: the command as PID 1 of a fresh
 * container, like the talk's {@code go run main.go run /bin/sh}, ending with a line of its cgroup's
 * figures on stderr. The options take docker run's names; {@code run --help} lists them and the exit
 * statuses. For CI: {@code --fail-on-limit} (exit 3 when a fork was refused or a process OOM-killed),
 * {@code --report FILE} (JSON), {@code --junit-xml FILE}, {@code --timeout DURATION} (exit 124).
 */
public final class Main {
    private Main() {
    }

    /**
     * Runs the command line and exits with its status.
     *
     * @param args {@code run}, its options, {@code --} and the command
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(RunArguments.usage()); // asked for: on stdout, and success, as run --help
            return 0;
        }
        if (args.length == 0 || !args[0].equals("run")) {
            System.err.println("containerized: expected the command 'run'\n" + RunArguments.usage());
            return ExitStatus.USAGE;
        }
        RunSettings settings;
        ContainerSpec spec;
        try {
            settings = RunArguments.parse(Arrays.asList(args).subList(1, args.length));
            if (settings.helpAsked()) {
                System.out.println(RunArguments.usage());
                return 0;
            }
            spec = settings.spec().build();
        } catch (IllegalArgumentException e) {
            System.err.println("containerized: " + e.getMessage() + "\n" + RunArguments.usage());
            return ExitStatus.USAGE;
        }
        return RunCommand.execute(settings, spec);
    }
}
