package dev.containerized.junit;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.ExecResult;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;

/** Fixtures whose settings come from configuration parameters, and one that runs its command as PID 1. */
class ConfiguredTestCases {
    static final Map<String, ContainerSpec> specs = new ConcurrentHashMap<>();

    @Containerized
    static class FromConfiguration {
        @Test
        void test(Container container) {
            specs.put("FromConfiguration", container.spec());
            assertThat(container.exec("cat", "/etc/hosts")).succeeded();
            assertThat(container.exec("sleep", "5")).timedOut();
        }
    }

    @Containerized(execTimeout = "5s")
    static class AnnotationOverConfiguration {
        @Test
        void test(Container container) {
            specs.put("AnnotationOverConfiguration", container.spec());
        }
    }

    /** The command-as-PID-1 mode with the test's settings: the spec is injected, Container.run runs it. */
    static class CommandAsPid1 {
        @Test
        @Containerized(hostname = "pid1-box", pidsLimit = 5, env = "GREETING=hi")
        void test(ContainerSpec spec) {
            ExecResult run = Container.run(spec, "sh", "-c", "echo $$ $(hostname) $GREETING");
            assertThat(run).succeeded().stdout().isEqualTo("1 pid1-box hi\n");
            specs.put("CommandAsPid1", spec);
        }
    }

    /** As Containerized documents: DEFAULT and empty on a method mean "not set here", never "no limit". */
    @Containerized(pidsLimit = 20, memoryLimit = "64m", readOnlyRootfs = true)
    static class AMethodCannotLiftItsClassLimits {
        @Test
        @Containerized(pidsLimit = Containerized.DEFAULT, memoryLimit = "", readOnlyRootfs = false)
        void test(dev.containerized.container.ContainerSpec spec) {
            org.assertj.core.api.Assertions.assertThat(spec.pidsLimit()).hasValue(20);
            org.assertj.core.api.Assertions.assertThat(spec.memoryLimitBytes()).hasValue(64L << 20);
            org.assertj.core.api.Assertions.assertThat(spec.readOnlyRootfs()).isTrue();
        }
    }
}
