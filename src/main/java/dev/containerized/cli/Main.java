package dev.containerized.cli;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerException;

import java.util.Arrays;

/**
 * {@code java -jar containerized.jar run [options] -- CMD [ARGS]}: the command as PID 1 of a fresh
 * container, like the talk's {@code go run main.go run /bin/sh}. The exit status is the command's.
 * The options take docker run's names; {@code run --help} lists them.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0 || !args[0].equals("run")) {
            System.err.println(args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))
                    ? RunArguments.usage() : "containerized: expected the command 'run'\n" + RunArguments.usage());
            return 2;
        }
        try {
            RunSettings run = RunArguments.parse(Arrays.asList(args).subList(1, args.length));
            if (run.helpAsked()) {
                System.out.println(RunArguments.usage());
                return 0;
            }
            return Container.runInteractive(run.spec().build(), run.command().toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            System.err.println("containerized: " + e.getMessage() + "\n" + RunArguments.usage());
            return 2;
        } catch (ContainerException e) {
            System.err.println("containerized: " + e.getMessage());
            return 125;
        }
    }
}
