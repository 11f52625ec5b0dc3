package dev.containerized.cli;

import dev.containerized.container.ContainerSpec;

import java.util.ArrayList;
import java.util.List;

/** What one {@code run} invocation asked for, filled in by the options: the container's spec and the command. */
final class RunSettings {
    private final ContainerSpec.Builder spec = ContainerSpec.builder();
    private final List<String> command = new ArrayList<>();
    private boolean helpAsked;

    /** The container's settings; options set them here. */
    ContainerSpec.Builder spec() {
        return spec;
    }

    List<String> command() {
        return command;
    }

    boolean helpAsked() {
        return helpAsked;
    }

    void askHelp() {
        helpAsked = true;
    }
}
