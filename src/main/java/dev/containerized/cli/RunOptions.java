package dev.containerized.cli;

import dev.containerized.container.Mount;
import dev.containerized.container.Seccomp;
import dev.containerized.internal.text.Durations;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of {@code run}, one line each: docker run's names, with this project's earlier names as
 * aliases. The usage is made from this table, so a new option is one line here.
 */
final class RunOptions {
    static final List<Option> ALL = List.of(
            Option.value("--hostname", "NAME", "the container's hostname", (run, v) -> run.spec().hostname(v)),
            Option.value("--pids-limit", "N", "the most processes, PID 1 included (pids.max)", (run, v) -> run.spec().pidsLimit(number(v)), "--pids-max"),
            Option.value("--memory", "SIZE", "the most memory, without swap, such as 64m (memory.max); files written to tmpfs and the root count too", (run, v) -> run.spec().memoryLimit(v), "-m"),
            Option.value("--rootfs", "DIR", "the root filesystem (default: the built-in busybox one)", (run, v) -> run.spec().rootfs(Path.of(v))),
            Option.value("--env", "NAME=VALUE", "an environment variable of the command (repeatable)", RunOptions::env, "-e"),
            Option.value("--workdir", "DIR", "where the command starts, inside the container", (run, v) -> run.spec().workingDirectory(v), "-w"),
            Option.value("--user", "USER", "who runs the command: a name or uid, optionally :group", (run, v) -> run.spec().user(v), "-u"),
            Option.value("--volume", "HOST:PATH[:ro|rw]", "a bind mount, read-only unless :rw (repeatable)", (run, v) -> run.spec().mount(volume(v)), "-v"),
            Option.value("--tmpfs", "PATH[:SIZE]", "a tmpfs, 64m unless sized (repeatable)", RunOptions::tmpfs),
            Option.flag("--read-only", "the root filesystem refuses writes (mounts and /tmp still take them)", run -> run.spec().readOnlyRootfs(true)),
            Option.value("--image", "REF", "an image as the root filesystem: oci:DIR[:TAG] or docker-archive:FILE", (run, v) -> run.image(v)),
            Option.value("--security-opt", "seccomp=PROFILE", "seccomp=default (Docker's), seccomp=unconfined, or seccomp=FILE.json",
                    RunOptions::securityOption),
            Option.value("--shm-size", "SIZE", "the size of /dev/shm, 64m unless given", (run, v) -> run.spec().shmSize(v)),
            Option.value("--cpus", "N", "the most CPU time, in CPUs, such as 0.5 (cpu.max)", (run, v) -> run.spec().cpus(v)),
            Option.value("--cpuset-cpus", "LIST", "the CPUs it may run on, such as 0-1 (cpuset.cpus)", (run, v) -> run.spec().cpuset(v)),
            Option.value("--timeout", "DURATION", "kill the whole container after this long, such as 90s or 10m (exit 124)", (run, v) -> run.timeout(Durations.parse(v))),
            Option.flag("--fail-on-limit", "exit 3 when a fork was refused or a process OOM-killed, even if the command succeeded", RunSettings::askFailOnLimit),
            Option.value("--report", "FILE", "write the command's status, duration and cgroup figures as JSON", (run, v) -> run.report(Path.of(v))),
            Option.value("--junit-xml", "FILE", "write the run as a JUnit XML report of one testcase, failed when a limit was hit", (run, v) -> run.junitXml(Path.of(v))),
            Option.flag("--help", "this text", RunSettings::askHelp, "-h"));

    private static final Map<String, Option> BY_NAME = index(ALL);

    private RunOptions() {
    }

    /** The option with this name or alias, or null. */
    static Option named(String name) {
        return BY_NAME.get(name);
    }

    private static Map<String, Option> index(List<Option> options) {
        Map<String, Option> byName = new LinkedHashMap<>();
        for (Option option : options) {
            for (String name : option.names()) {
                if (byName.put(name, option) != null) {
                    throw new IllegalStateException("two options of run are named " + name + ": give one of them another name");
                }
            }
        }
        return byName;
    }

    static long number(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new Option.BadValue("needs a whole number, got '" + value + "'");
        }
    }

    private static void env(RunSettings run, String value) {
        int eq = value.indexOf('=');
        if (eq < 0) {
            throw new Option.BadValue("takes NAME=VALUE, got '" + value + "'");
        }
        run.spec().env(value.substring(0, eq), value.substring(eq + 1));
    }

    private static void tmpfs(RunSettings run, String value) {
        int colon = value.indexOf(':');
        run.spec().tmpfs(colon < 0 ? value : value.substring(0, colon), colon < 0 ? "64m" : value.substring(colon + 1));
    }

    /** {@code HOST:CONTAINER[:ro|:rw]}, read-only unless {@code :rw}, as the README says (docker's default is rw). */
    private static Mount volume(String value) {
        String[] parts = value.split(":");
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()
                || (parts.length == 3 && !parts[2].equals("ro") && !parts[2].equals("rw"))) {
            throw new Option.BadValue("takes HOST:CONTAINER, HOST:CONTAINER:ro or HOST:CONTAINER:rw, got '" + value + "'");
        }
        Mount mount = Mount.bind(Path.of(parts[0]), parts[1]);
        return parts.length == 3 && parts[2].equals("rw") ? mount.readWrite() : mount;
    }

    /** Docker's {@code --security-opt}; of its options, seccomp is the one a container here has. */
    private static void securityOption(RunSettings run, String value) {
        if (!value.startsWith("seccomp=")) {
            throw new IllegalArgumentException("--security-opt " + value + " is not supported: the one security option is"
                    + " seccomp=default, seccomp=unconfined or seccomp=PROFILE.json (a profile in Docker's JSON format)");
        }
        run.spec().seccomp(Seccomp.parse(value.substring("seccomp=".length())));
    }
}
