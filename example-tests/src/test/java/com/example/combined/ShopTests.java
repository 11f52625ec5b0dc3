package com.example.combined;

import dev.containerized.container.Container;
import dev.containerized.container.ContainerSpec;
import dev.containerized.container.ExecResult;
import dev.containerized.junit.Containerized;
import dev.containerized.junit.Containerized.Lifecycle;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * JUnit's features combined as a user's suite combines them: one container for the class, seeded in
 * {@code @BeforeAll} and shared by the parameterized invocations; a method that asks for a fresh one;
 * {@code @Nested} classes, one sharing the outer container and one with settings of its own; the command
 * as PID 1 with the test's settings; and all of it in parallel (see junit-platform.properties).
 */
@Containerized(hostname = "shop", lifecycle = Lifecycle.PER_CLASS, pidsLimit = 100)
@Execution(ExecutionMode.CONCURRENT)
class ShopTests {
    private static Container shop;

    @BeforeAll
    static void stock(Container container) {
        assertThat(container.exec("sh", "-c", "mkdir -p /srv/shop && echo 3 > /srv/shop/stock")).succeeded();
        shop = container;
    }

    @ParameterizedTest
    @ValueSource(strings = {"apple", "pear", "plum"})
    void everyInvocationSharesTheClassContainer(String item, Container container) {
        assertThat(container).isSameAs(shop).hasHostname("shop");
        assertThat(container.exec("cat", "/srv/shop/stock")).stdout().isEqualTo("3\n");
        assertThat(container.exec("sh", "-c", "echo " + item + " >> /srv/shop/sold")).succeeded();
    }

    @Test
    @Containerized(lifecycle = Lifecycle.PER_METHOD)
    void aMethodThatAsksForItsOwnGetsAFreshOneWithTheClassSettings(Container container) {
        assertThat(container).isNotSameAs(shop).hasHostname("shop");
        assertThat(container.exec("cat", "/srv/shop/stock")).exitedWith(1);
    }

    @Test
    @Containerized(pidsLimit = 5)
    void aMethodThatRefinesTheSettingsGetsAContainerOfThoseSettings(Container container) {
        assertThat(container).isNotSameAs(shop);
        assertThat(container.spec().pidsLimit()).hasValue(5);
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 7})
    void theCommandAsPid1WithTheTestsSettings(int pidsLimit, ContainerSpec spec) {
        ExecResult run = Container.run(spec.toBuilder().pidsLimit(pidsLimit).build(), "sh", "-c", "echo $$ $(hostname)");
        assertThat(run).succeeded().stdout().isEqualTo("1 shop\n");
    }

    @AfterAll
    static void everySaleWentToTheSameContainer(Container container) {
        assertThat(container).isSameAs(shop);
        assertThat(container.exec("sort", "/srv/shop/sold")).stdout().isEqualTo("apple\nbasket\npear\nplum\n");
    }

    /** Same settings, so the same container as the outer class, whichever class runs first. */
    @Nested
    @Execution(ExecutionMode.CONCURRENT)
    class Checkout {
        @Test
        void seesTheShopsContainer(Container container) {
            assertThat(container).isSameAs(shop);
            assertThat(container.exec("sh", "-c", "echo basket >> /srv/shop/sold")).succeeded();
        }
    }

    /** Settings of its own: a container of its own, shared by its tests (the lifecycle is still PER_CLASS). */
    @Nested
    @Containerized(hostname = "warehouse")
    @Execution(ExecutionMode.CONCURRENT)
    class Warehouse {
        private static final Set<String> ids = ConcurrentHashMap.newKeySet();

        @ParameterizedTest
        @CsvSource({"crates, 2", "pallets, 1"})
        void hasItsOwnContainer(String what, int count, Container container) {
            assertThat(container).isNotSameAs(shop).hasHostname("warehouse");
            assertThat(container.exec("sh", "-c", "echo " + count + " > /tmp/" + what + " && cat /tmp/" + what))
                    .succeeded().stdout().isEqualTo(count + "\n");
            ids.add(container.id());
        }

        @AfterAll
        static void bothInvocationsHadTheWarehouseContainer(Container container) {
            assertThat(ids).containsExactly(container.id());
        }
    }

    /** Tests with containers of their own, side by side: each waits for the other to be running. */
    @Nested
    @Containerized(lifecycle = Lifecycle.PER_METHOD)
    @Execution(ExecutionMode.CONCURRENT)
    class SideBySide {
        private static final CyclicBarrier BOTH_RUNNING = new CyclicBarrier(2);

        @Test
        void one(Container container) throws Exception {
            meetTheOther(container);
        }

        @Test
        void other(Container container) throws Exception {
            meetTheOther(container);
        }

        private void meetTheOther(Container container) throws Exception {
            assertThat(container).isNotSameAs(shop).hasOwnPidNamespace();
            BOTH_RUNNING.await(30, TimeUnit.SECONDS); // times out if the tests ran one after the other
            assertThat(container.exec("sh", "-c", "echo $$")).succeeded();
        }
    }
}
