package dev.containerized.junit;

import dev.containerized.container.Leaks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static dev.containerized.junit.ContainerizedExtensionTests.assertAllSucceeded;
import static dev.containerized.junit.ContainerizedExtensionTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedClass;

/**
 * Which tests share a container: only those whose lifecycle is PER_CLASS and whose settings are the
 * same; every other test gets one built from exactly its own settings.
 */
class SharingTests {
    @BeforeEach
    void forget() {
        SharingTestCases.ids.clear();
    }

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void aMethodsPerClassContainerIsNotHandedToATestThatAskedForSomethingElse() {
        assertAllSucceeded(run(SharingTestCases.MethodAsksForPerClass.class), 3);
        assertThat(SharingTestCases.ids.get("expectsFresh")).isNotEqualTo(SharingTestCases.ids.get("dirties"));
        assertThat(SharingTestCases.ids.get("sharesWithTheSameSettings")).isEqualTo(SharingTestCases.ids.get("dirties"));
    }

    @Test
    void underAPerClassClassAMethodThatRefinesTheSettingsGetsItsOwn() {
        assertAllSucceeded(run(SharingTestCases.MethodRefinesAPerClassClass.class), 6);
        String shared = SharingTestCases.ids.get("beforeAll");
        assertThat(SharingTestCases.ids).containsEntry("plain", shared).containsEntry("plainAgain", shared)
                .containsEntry("parameterized1", shared).containsEntry("parameterized2", shared);
        assertThat(SharingTestCases.ids.get("pidsLimit")).isNotEqualTo(shared);
        assertThat(SharingTestCases.ids.get("perMethod")).isNotEqualTo(shared).isNotEqualTo(SharingTestCases.ids.get("pidsLimit"));
    }

    @Test
    void plainNestedClassesShareTheOuterContainerAndOnesWithTheirOwnSettingsDoNot() {
        assertAllSucceeded(run(SharingTestCases.Outer.class), 5);
        String outer = SharingTestCases.ids.get("firstPlain");
        assertThat(SharingTestCases.ids).containsEntry("secondPlain", outer).containsEntry("deeper", outer);
        assertThat(SharingTestCases.ids.get("inner")).isNotEqualTo(outer).isEqualTo(SharingTestCases.ids.get("innerBeforeAll"));
    }

    @Test
    void whichNestedClassRunsFirstChangesNothing() {
        for (Class<?> order : List.of(ClassOrderer.ClassName.class, ReverseClassName.class)) {
            SharingTestCases.ids.clear();
            assertAllSucceeded(run(SharingTestCases.Outer.class, Map.of("junit.jupiter.testclass.order.default", order.getName())), 5);
            String outer = SharingTestCases.ids.get("firstPlain");
            assertThat(SharingTestCases.ids).as(order.getSimpleName()).containsEntry("secondPlain", outer).containsEntry("deeper", outer);
            assertThat(SharingTestCases.ids.get("inner")).as(order.getSimpleName()).isNotEqualTo(outer);
        }
    }

    /** The settings are the concrete class's, with its mounts, not those of the base whose source encloses the nested class. */
    @Test
    void aNestedClassInheritedFromABaseGetsTheSettingsOfTheClassItRunsIn() {
        InheritedNestedTestCases.seen.clear();
        assertAllSucceeded(run(InheritedNestedTestCases.Concrete.class), 2);
        assertThat(InheritedNestedTestCases.seen).containsEntry("outer", "concrete 1").containsEntry("nested", "concrete 1");
        assertAllSucceeded(run(InheritedNestedTestCases.ConcreteOverrides.class), 1);
        assertThat(InheritedNestedTestCases.seen).containsEntry("nestedUnderOverride", "override 0");
    }

    @Test
    void aParameterizedClassSharesItsPerClassContainerAcrossItsInvocationsAndNotAPerMethodOne() {
        assertAllSucceeded(run(SharingTestCases.ParameterizedClassPerClass.class), 2);
        String shared = SharingTestCases.ids.get("classBeforeAll");
        assertThat(SharingTestCases.ids).containsEntry("class-x", shared).containsEntry("class-y", shared);
        assertAllSucceeded(run(SharingTestCases.ParameterizedClassPerMethod.class), 2);
        assertThat(SharingTestCases.ids.get("method-x")).isNotEqualTo(SharingTestCases.ids.get("method-y")).isNotEqualTo(shared);
    }

    @Test
    void aNestedClassSelectedAloneSharesWithItsSiblings() {
        ContainerizedExtensionTests.engine().selectors(
                selectNestedClass(List.of(SharingTestCases.Outer.class, SharingTestCases.Outer.SecondPlain.class),
                        SharingTestCases.Outer.SecondPlain.Deeper.class),
                selectNestedClass(List.of(SharingTestCases.Outer.class), SharingTestCases.Outer.FirstPlain.class))
                .execute().testEvents().assertStatistics(s -> s.succeeded(2).failed(0));
        assertThat(SharingTestCases.ids.get("deeper")).isEqualTo(SharingTestCases.ids.get("firstPlain"));
    }

    @Test
    void siblingNestedClassesThatAskForPerClassEachGetTheirOwn() {
        assertAllSucceeded(run(SharingTestCases.SiblingsAskForPerClass.class), 2);
        assertThat(SharingTestCases.ids.get("second")).isNotEqualTo(SharingTestCases.ids.get("first"));
    }

    @Test
    void aTestGetsTheServersDeclaredForItUnderPerClass() {
        assertAllSucceeded(run(SharingTestCases.PerClassWithServersOfMethodsAndNestedClasses.class), 3);
        assertThat(SharingTestCases.ids).containsEntry("plainServers", "class")
                .containsEntry("methodServers", "class method").containsEntry("nestedServers", "class nested");
        assertThat(SharingTestCases.ids.get("method")).isNotEqualTo(SharingTestCases.ids.get("plain"));
        assertThat(SharingTestCases.ids.get("nested")).isNotEqualTo(SharingTestCases.ids.get("plain"));
    }

    /** Nested classes in the reverse order of their names: the last declared runs first. */
    public static final class ReverseClassName implements ClassOrderer {
        @Override
        public void orderClasses(ClassOrdererContext context) {
            context.getClassDescriptors().sort(Comparator.comparing((ClassDescriptor d) -> d.getTestClass().getName()).reversed());
        }
    }
}
