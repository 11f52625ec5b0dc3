package dev.containerized.internal.json;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTests {
    @Test
    @SuppressWarnings("unchecked")
    void readsEveryKindOfValueInDocumentOrder() {
        Map<String, Object> doc = Json.parseObject("""
                {"b": [1, -2, 3.5, 1e3, true, false, null], "a": {"s": "x\\ty\\u00e9\\"\\\\/"}, "big": 123456789012345678901}
                """);
        assertThat(doc.keySet()).containsExactly("b", "a", "big");
        assertThat((List<Object>) doc.get("b")).containsExactly(1L, -2L, new BigDecimal("3.5"), new BigDecimal("1e3"), true, false, null);
        assertThat(((Map<?, ?>) doc.get("a")).get("s")).isEqualTo("x\ty\u00e9\"\\/");
        assertThat(doc.get("big")).isEqualTo(new BigDecimal("123456789012345678901"));
    }

    @Test
    void writesWhatItReads() {
        String text = "{\"k\":[1,\"two\\n\",{\"x\":null},true],\"e\":{}}";
        assertThat(Json.write(Json.parse(text))).isEqualTo(text);
        assertThat(Json.write("\u0001")).isEqualTo("\"\\u0001\"");
    }

    @Test
    void errorsSayWhereAndWhatWasExpected() {
        assertThatThrownBy(() -> Json.parse("{\"a\": 1,\n \"b\" 2}")).isInstanceOf(JsonException.class)
                .hasMessage("invalid JSON at line 2, column 6: expected ':', found '2'");
        assertThatThrownBy(() -> Json.parse("[1, 2")).hasMessageContaining("expected ',' or ']', found the end of the text");
        assertThatThrownBy(() -> Json.parse("{} x")).hasMessageContaining("expected end of the document");
        assertThatThrownBy(() -> Json.parse("\"a\nb\"")).hasMessageContaining("no control character");
        assertThatThrownBy(() -> Json.parseObject("[]")).hasMessageContaining("expected a JSON object at the top level, found an array");
        assertThatThrownBy(() -> Json.parse("[".repeat(10_000))).hasMessageContaining("levels of nesting");
        assertThatThrownBy(() -> Json.parse("01x")).hasMessageContaining("expected end of the document");
    }
}
