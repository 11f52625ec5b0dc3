package dev.containerized.junit;

import dev.containerized.container.Container;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/** Fixture: one container for the class, also given to @BeforeAll and @AfterAll. */
@Containerized(lifecycle = Containerized.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PerClassTestCases {
    static Container shared;

    @BeforeAll
    static void before(Container container) {
        shared = container;
    }

    @Test
    @Order(1)
    void writes(Container container) {
        assertThat(container).isSameAs(shared);
        assertThat(container.exec("sh", "-c", "echo kept > /root/file")).succeeded();
    }

    @Test
    @Order(2)
    void seesWhatTheFirstTestWrote(Container container) {
        assertThat(container.exec("cat", "/root/file")).stdout().isEqualTo("kept\n");
    }

    @AfterAll
    static void after(Container container) {
        assertThat(container).isSameAs(shared);
    }
}
