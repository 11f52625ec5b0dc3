package dev.containerized.cli;

import dev.containerized.container.ContainerSpec;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The options table and its parser, without a container: what each argument does to the spec. */
class RunArgumentsTests {
    @Test
    void dockerNamesAndTheFormerNamesGiveTheSameSpec() {
        ContainerSpec docker = parse("--hostname", "box", "--pids-limit", "20", "--memory", "64m", "-e", "A=1", "-w", "/tmp",
                "-u", "nobody", "--tmpfs", "/cache:1m", "--read-only", "--", "sh").spec().build();
        ContainerSpec former = parse("--hostname=box", "--pids-max", "20", "-m", "64m", "--env", "A=1", "--workdir=/tmp",
                "--user", "nobody", "--tmpfs=/cache:1m", "--read-only", "--", "sh").spec().build();
        assertThat(docker).isEqualTo(former);
        assertThat(docker.pidsLimit()).hasValue(20);
        assertThat(docker.memoryLimitBytes()).hasValue(64L << 20);
        assertThat(docker.environment()).containsEntry("A", "1");
        assertThat(docker.workingDirectory()).contains("/tmp");
        assertThat(docker.user()).hasValue("nobody");
        assertThat(docker.readOnlyRootfs()).isTrue();
    }

    @Test
    void theCommandIsEverythingAfterTheFirstDoubleDash() {
        assertThat(parse("--hostname", "b", "--", "sh", "-c", "echo --", "--").command()).containsExactly("sh", "-c", "echo --", "--");
    }

    @Test
    void anUnknownOptionIsNamedAsUnknownEvenBeforeTheDoubleDash() {
        assertThatThrownBy(() -> parse("--bogus", "--", "true")).hasMessage("unknown option --bogus");
        assertThatThrownBy(() -> parse("--bogus=1", "--", "true")).hasMessage("unknown option --bogus");
        assertThatThrownBy(() -> parse("-x", "--", "true")).hasMessage("unknown option -x");
    }

    @Test
    void mistakesSayWhatToWriteInstead() {
        assertThatThrownBy(() -> parse("--hostname", "--", "true")).hasMessage("--hostname needs a value: --hostname NAME");
        assertThatThrownBy(() -> parse("--pids-max", "many", "--", "sh")).hasMessage("--pids-max needs a whole number, got 'many'");
        assertThatThrownBy(() -> parse("-e", "NOVALUE", "--", "sh")).hasMessage("-e takes NAME=VALUE, got 'NOVALUE'");
        assertThatThrownBy(() -> parse("--read-only=yes", "--", "sh")).hasMessage("--read-only takes no value, got '--read-only=yes'");
        assertThatThrownBy(() -> parse("sh", "-c", "true")).hasMessageContaining("'sh' is not an option: put the command after '--'");
        assertThatThrownBy(() -> parse("--hostname", "x")).hasMessageContaining("no command");
        assertThatThrownBy(() -> parse("--hostname", "x", "--")).hasMessageContaining("no command");
    }

    @Test
    void helpStopsTheParsing() {
        assertThat(parse("--hostname", "x", "--help", "--bogus").helpAsked()).isTrue();
        assertThat(parse("-h").helpAsked()).isTrue();
    }

    @Test
    void theUsageListsEveryOptionOfTheTableWithItsAliases() {
        String usage = RunArguments.usage();
        for (Option option : RunOptions.ALL) {
            assertThat(usage).contains(option.name()).contains(option.help());
            option.aliases().forEach(alias -> assertThat(usage).contains(alias));
        }
        assertThat(usage).contains("-e, --env NAME=VALUE").contains("--pids-limit N (also --pids-max)");
    }

    @Test
    void noTwoOptionsShareAName() {
        Set<String> names = new HashSet<>();
        RunOptions.ALL.forEach(option -> option.names().forEach(name -> assertThat(names.add(name)).as(name).isTrue()));
    }

    private static RunSettings parse(String... args) {
        return RunArguments.parse(List.of(args));
    }
}
