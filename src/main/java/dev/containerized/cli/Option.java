package dev.containerized.cli;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One option of {@code run}: its name (docker run's where one exists), other names it answers to, the
 * placeholder of its value (null for a flag), one line of help, and what it does to the run.
 *
 * @param name      the name the usage shows, such as {@code --pids-limit}
 * @param aliases   other names, such as {@code -e} or the former {@code --pids-max}
 * @param valueName the value's placeholder in the usage, such as {@code N}; null for a flag without a value
 * @param help      what it does, one line
 * @param action    applies the value (null for a flag) to the run being configured
 */
record Option(String name, List<String> aliases, String valueName, String help, BiConsumer<RunSettings, String> action) {
    Option {
        aliases = List.copyOf(aliases);
    }

    /** An option that takes a value: {@code --name VALUE} or {@code --name=VALUE}; repeatable where the action adds. */
    static Option value(String name, String valueName, String help, BiConsumer<RunSettings, String> action, String... aliases) {
        return new Option(name, List.of(aliases), valueName, help, action);
    }

    /** An option without a value, such as {@code --read-only}. */
    static Option flag(String name, String help, Consumer<RunSettings> action, String... aliases) {
        return new Option(name, List.of(aliases), null, help, (run, none) -> action.accept(run));
    }

    boolean takesValue() {
        return valueName != null;
    }

    /** Every name it answers to, the usage name first. */
    List<String> names() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(name), aliases.stream()).toList();
    }

    /** The usage's form: {@code -e, --env NAME=VALUE}. */
    String synopsis() {
        StringBuilder s = new StringBuilder();
        aliases.stream().filter(a -> !a.startsWith("--")).forEach(a -> s.append(a).append(", "));
        s.append(name);
        if (takesValue()) {
            s.append(' ').append(valueName);
        }
        aliases.stream().filter(a -> a.startsWith("--")).forEach(a -> s.append(" (also ").append(a).append(')'));
        return s.toString();
    }

    /**
     * A value the option cannot take; the parser puts the option's name, as the user typed it, in front:
     * "--pids-max needs a whole number, got 'many'".
     */
    static final class BadValue extends IllegalArgumentException {
        BadValue(String whatIsWrong) {
            super(whatIsWrong);
        }
    }
}
