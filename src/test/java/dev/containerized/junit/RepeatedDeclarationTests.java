package dev.containerized.junit;

import dev.containerized.container.Leaks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import static dev.containerized.junit.ContainerizedExtensionTests.assertAllSucceeded;
import static dev.containerized.junit.ContainerizedExtensionTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.displayName;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/** A declaration reaching a test twice counts once; two declarations where one applies are refused, never half-applied. */
class RepeatedDeclarationTests {
    private static final String BOXED = "@" + RepeatedDeclarationTestCases.Boxed.class.getName();
    private static final String SMALL = "@" + RepeatedDeclarationTestCases.Small.class.getName();

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void twoContainerizedOnAClassFailItNamingBothAndTheFix() {
        EngineExecutionResults results = run(RepeatedDeclarationTestCases.TwoComposedOnAClass.class);
        results.containerEvents().assertThatEvents().haveExactly(1, event(finishedWithFailure(
                instanceOf(ExtensionConfigurationException.class),
                message("2 @Containerized with different settings reach class " + RepeatedDeclarationTestCases.TwoComposedOnAClass.class.getName()
                        + ": the one on " + BOXED + " and the one on " + SMALL + "; only one applies to a class or method, and the "
                        + "settings of the rest would be lost: merge them into one @Containerized (an annotation of your own may carry it)"))));
        results.testEvents().assertStatistics(s -> s.succeeded(0));
    }

    @Test
    void aComposedAndADirectContainerizedAreTwoToo() {
        run(RepeatedDeclarationTestCases.ComposedAndDirectOnAClass.class).containerEvents().assertThatEvents().haveExactly(1, event(
                finishedWithFailure(instanceOf(ExtensionConfigurationException.class), message(m -> m.contains(
                        "reach class " + RepeatedDeclarationTestCases.ComposedAndDirectOnAClass.class.getName() + ": the one on "
                                + BOXED + " and its own;") && m.contains("merge them into one @Containerized")))));
    }

    @Test
    void twoContainerizedOnAMethodFailThatTestOnly() {
        EngineExecutionResults results = run(RepeatedDeclarationTestCases.TwoComposedOnAMethod.class);
        results.testEvents().assertThatEvents()
                .haveExactly(1, event(test(), displayName("twoOfThem(Container)"), finishedWithFailure(
                        instanceOf(ExtensionConfigurationException.class), message(m -> m.startsWith(
                                "2 @Containerized with different settings reach method TwoComposedOnAMethod.twoOfThem(): the one on "
                                        + BOXED + " and the one on " + SMALL + ";")))))
                .haveExactly(1, event(test(), displayName("oneOfThem(Container)"), finishedSuccessfully()));
    }

    @Test
    void oneServerDeclarationReachingATestThroughTwoClassesStartsOneServer() {
        assertAllSucceeded(run(RepeatedDeclarationTestCases.ServerContract.class), 2);
    }

    @Test
    void underPerClassTheNestedClassSharesTheContainerWhoseServerStartedOnce() {
        RepeatedDeclarationTestCases.SharesAServer.IDS.clear();
        assertAllSucceeded(run(RepeatedDeclarationTestCases.SharedServerContract.class), 2);
        assertThat(RepeatedDeclarationTestCases.SharesAServer.IDS).hasSize(2).containsOnly(RepeatedDeclarationTestCases.SharesAServer.IDS.get(0));
    }

    @Test
    void oneMountDeclarationReachingATestThroughTwoClassesIsOneMount() {
        assertAllSucceeded(run(RepeatedDeclarationTestCases.MountContract.class), 2);
    }

    @Test
    void oneTmpfsOfAnAnnotationOfYourOwnOnTheClassAndTheMethodIsOneTmpfs() {
        assertAllSucceeded(run(RepeatedDeclarationTestCases.ComposedOnClassAndMethod.class), 1);
    }

    @Test
    void twoMountsOnOneTargetInASubclassAndItsBaseAreRefusedNamingEachWhereItIs() {
        run(RepeatedDeclarationTestCases.RemountingSubclass.class).containerEvents().assertThatEvents().haveExactly(1, event(
                finishedWithFailure(instanceOf(ExtensionConfigurationException.class), message(
                        "@Mount(source = \"README.md\", target = \"/project/pom.xml\") on class "
                                + RepeatedDeclarationTestCases.RemountingSubclass.class.getName() + " mounts on /project/pom.xml, as "
                                + "@Mount(source = \"pom.xml\", target = \"/project/pom.xml\") on class "
                                + RepeatedDeclarationTestCases.MountingBase.class.getName() + " does: give each its own target "
                                + "(a mount never replaces another: a subclass's, a method's or a nested class's adds to those above it)"))));
    }
}
