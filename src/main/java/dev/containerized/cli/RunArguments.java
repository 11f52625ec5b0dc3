package dev.containerized.cli;

import java.util.List;

/**
 * Reads {@code run}'s arguments against {@link RunOptions}: options first ({@code --name VALUE},
 * {@code --name=VALUE}, or a flag), then {@code --} and the command. Any mistake is an
 * IllegalArgumentException whose message names the argument and what to write instead.
 */
final class RunArguments {
    private RunArguments() {
    }

    /** The settings {@code args} (the arguments after {@code run}) ask for. */
    static RunSettings parse(List<String> args) {
        RunSettings run = new RunSettings();
        int i = 0;
        for (; i < args.size() && !args.get(i).equals("--"); i++) {
            String arg = args.get(i);
            int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
            String name = eq < 0 ? arg : arg.substring(0, eq);
            Option option = RunOptions.named(name);
            if (option == null) {
                throw new IllegalArgumentException(arg.startsWith("-") ? "unknown option " + name
                        : "'" + arg + "' is not an option: put the command after '--', such as: run --hostname box -- " + arg);
            }
            String value = null;
            if (option.takesValue()) {
                if (eq >= 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.size() && !args.get(i + 1).equals("--")) {
                    value = args.get(++i);
                } else {
                    throw new IllegalArgumentException(name + " needs a value: " + name + " " + option.valueName());
                }
            } else if (eq >= 0) {
                throw new IllegalArgumentException(name + " takes no value, got '" + arg + "'");
            }
            apply(option, name, run, value);
            if (run.helpAsked()) {
                return run;
            }
        }
        if (i + 1 >= args.size() && !run.imageGiven()) {
            throw new IllegalArgumentException("no command: put it after '--', such as: run -- /bin/sh");
        }
        if (i + 1 < args.size()) {
            run.command().addAll(args.subList(i + 1, args.size()));
        }
        return run;
    }

    private static void apply(Option option, String typed, RunSettings run, String value) {
        try {
            option.action().accept(run, value);
        } catch (Option.BadValue e) {
            throw new IllegalArgumentException(typed + " " + e.getMessage(), e);
        }
    }

    /** The usage, made from the table of options. */
    static String usage() {
        StringBuilder s = new StringBuilder("""
                usage: containerized run [OPTIONS] -- CMD [ARGS...]
                  Runs CMD as PID 1 of a new container (pid, mount, uts, ipc, net and cgroup namespaces,
                  an overlay over the rootfs, a pids and memory cgroup) with this terminal, and exits
                  with its status, then prints the cgroup's figures on stderr (pids and memory peaks,
                  forks refused, OOM kills). The rootfs defaults to the built-in busybox one. Needs root.
                options:
                """);
        int width = RunOptions.ALL.stream().mapToInt(o -> o.synopsis().length()).max().orElse(0);
        for (Option option : RunOptions.ALL) {
            s.append("  ").append(String.format("%-" + width + "s", option.synopsis())).append("  ").append(option.help()).append('\n');
        }
        return s.append(ExitStatus.TABLE).append("\nexamples: containerized run --hostname box --pids-limit 20 --memory 64m -- /bin/sh\n")
                .append("          containerized run --pids-limit 100 --memory 512m --timeout 10m --fail-on-limit --junit-xml TEST-build.xml -- make test")
                .toString();
    }
}
