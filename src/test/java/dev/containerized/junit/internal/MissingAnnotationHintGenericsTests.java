package dev.containerized.junit.internal;

import dev.containerized.container.Container;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.support.descriptor.AbstractTestDescriptor;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestIdentifier;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A test method with a generic parameter beside the Container: JUnit names it by its generic signature. */
class MissingAnnotationHintGenericsTests {
    static class Sample {
        void t(Container c, List<String> items) {
        }
    }

    @Test
    void aTestMethodWithAGenericParameterGetsTheTestMethodsHint() throws Exception {
        Method m = Sample.class.getDeclaredMethod("t", Container.class, List.class);
        TestDescriptor d = new AbstractTestDescriptor(UniqueId.forEngine("e").append("m", "t"), "t", MethodSource.from(m)) {
            @Override
            public Type getType() {
                return Type.TEST;
            }
        };
        String message = "No ParameterResolver registered for parameter [dev.containerized.container.Container c] in method ["
                + m.toGenericString() + "].";
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        try {
            new MissingAnnotationHint().executionFinished(TestIdentifier.from(d),
                    TestExecutionResult.failed(new ParameterResolutionException(message)));
        } finally {
            System.setErr(err);
        }
        assertThat(captured.toString()).contains("add @Containerized to the method or to its class").contains("Sample.t(Container, List)");
    }
}
