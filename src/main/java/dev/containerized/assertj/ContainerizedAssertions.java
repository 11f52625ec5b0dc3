package dev.containerized.assertj;

import dev.containerized.container.Container;
import dev.containerized.container.ExecResult;

/**
 * The entry point to Containerized's AssertJ assertions. Import statically next to AssertJ's own:
 * <pre>{@code
 * import static dev.containerized.assertj.ContainerizedAssertions.assertThat;
 *
 * assertThat(container.exec("hostname")).succeeded().stdout().isEqualTo("box\n");
 * assertThat(container).hasOwnPidNamespace().pidsNeverExceeded(20).refusedForks();
 * }</pre>
 */
public final class ContainerizedAssertions {
    private ContainerizedAssertions() {
    }

    public static ExecResultAssert assertThat(ExecResult actual) {
        return new ExecResultAssert(actual);
    }

    public static ContainerAssert assertThat(Container actual) {
        return new ContainerAssert(actual);
    }
}
