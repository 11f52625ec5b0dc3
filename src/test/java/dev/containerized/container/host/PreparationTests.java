package dev.containerized.container.host;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** The preparation loads what it names (a renamed class would otherwise go unnoticed) and makes nothing on the host. */
class PreparationTests {
    @Test
    void everyClassItLoadsExists() {
        for (String name : Preparation.classNames()) {
            assertThatCode(() -> Class.forName(name, false, getClass().getClassLoader())).as(name).doesNotThrowAnyException();
        }
    }

    @Test
    void preparingLeavesNothingOnTheHost() {
        Preparation.prepare();
        assertThat(dev.containerized.container.Leaks.find()).isEmpty();
    }
}
