package com.example.lifecycle;

import dev.containerized.container.Container;
import dev.containerized.junit.Containerized;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A test's container is gone once the test ends, on every JUnit this project runs on (CI runs it on
 * JUnit 5.10, 5.14 and 6): the second test looks at the first one's.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClosedWhenItsTestEndsTests {
    static Container first;

    @Test
    @Order(1)
    @Containerized
    void usesAContainer(Container container) {
        first = container;
        assertThat(container.exec("true")).succeeded();
    }

    @Test
    @Order(2)
    void findsItClosed() {
        assertThat(first.isRunning()).as("the first test's container, once that test ended").isFalse();
    }
}
