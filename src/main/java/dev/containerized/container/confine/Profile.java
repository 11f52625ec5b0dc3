package dev.containerized.container.confine;

import java.util.List;

/** A seccomp profile in Docker's model: a default action and the rules that override it. */
record Profile(Action defaultAction, List<SyscallRule> rules) {
    Profile {
        rules = List.copyOf(rules);
    }
}
