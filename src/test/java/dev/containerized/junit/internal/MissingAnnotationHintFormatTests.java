package dev.containerized.junit.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How the hint names the method, from JUnit's signature text (compiled with -parameters or not). */
class MissingAnnotationHintFormatTests {
    @Test
    void aMethodWithAParameterName() {
        assertThat(MissingAnnotationHint.hint("Container", "app",
                "public void com.example.AppTests$Inner.answers(int,dev.containerized.container.Container) throws java.lang.Exception",
                MissingAnnotationHint.Asker.TEST_METHOD))
                .startsWith("[containerized] AppTests$Inner.answers(int, Container) asks for a Container (parameter 'app'), but");
    }

    @Test
    void aConstructorWithoutParameterNames() {
        assertThat(MissingAnnotationHint.hint("Container", "arg0", "com.example.AppTests(dev.containerized.container.Container)",
                MissingAnnotationHint.Asker.CLASS_LEVEL))
                .startsWith("[containerized] AppTests(Container) asks for a Container, but");
    }
}
