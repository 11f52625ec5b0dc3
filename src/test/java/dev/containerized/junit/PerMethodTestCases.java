package dev.containerized.junit;

import dev.containerized.container.Container;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/** Fixture: a fresh container per test, shared with @BeforeEach and @AfterEach. Run by ContainerizedExtensionTests. */
@Containerized(hostname = "class-box", env = {"FROM=class", "KEEP=yes"})
class PerMethodTestCases {
    static final Set<String> ids = new HashSet<>();
    private Container fromBeforeEach;

    @BeforeEach
    void before(Container container) {
        fromBeforeEach = container;
        container.exec("sh", "-c", "echo seeded > /tmp/seed");
    }

    @Test
    void classSettingsApply(Container container) {
        assertThat(container).isSameAs(fromBeforeEach).hasHostname("class-box");
        assertThat(container.exec("sh", "-c", "echo $FROM $KEEP")).succeeded().stdout().isEqualTo("class yes\n");
        assertThat(container.exec("cat", "/tmp/seed")).stdout().isEqualTo("seeded\n");
        ids.add(container.id());
    }

    @Test
    @Containerized(hostname = "method-box", env = "FROM=method", pidsLimit = 20)
    void aMethodRefinesTheClass(Container container) {
        assertThat(container).hasHostname("method-box");
        assertThat(container.exec("sh", "-c", "echo $FROM $KEEP")).stdout().isEqualTo("method yes\n");
        assertThat(container.spec().pidsLimit()).hasValue(20);
        ids.add(container.id());
    }

    @AfterEach
    void after(Container container) {
        assertThat(container).isSameAs(fromBeforeEach);
    }
}
