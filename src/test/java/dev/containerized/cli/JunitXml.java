package dev.containerized.cli;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JUnit XML as CI systems read it: parsed by the JDK's own parser, and compared with a report that
 * Maven Surefire 3.5.4 wrote (src/test/resources/dev/containerized/cli/surefire-TEST-sample.xml).
 */
final class JunitXml {
    private static final String SAMPLE = "surefire-TEST-sample.xml";

    private JunitXml() {
    }

    /** Parses strictly (no DTD, no external entities), as a CI system would; fails the test if it does not parse. */
    static Document parse(String xml) {
        return parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    static Document parse(InputStream xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            return factory.newDocumentBuilder().parse(xml);
        } catch (Exception e) {
            throw new AssertionError("not well-formed XML: " + e.getMessage(), e);
        }
    }

    /**
     * Every element of {@code xml} sits where Surefire puts that element and has only attributes Surefire
     * gives it; the attributes CI systems read are all there; the counts agree with the testcases; and
     * a testcase's children come in Surefire's order (failure or error, system-out, system-err).
     */
    static void assertSameShapeAsSurefire(String xml) throws Exception {
        Map<String, Set<String>> surefire;
        try (InputStream sample = JunitXml.class.getResourceAsStream(SAMPLE)) {
            surefire = shape(parse(sample));
        }
        Document ours = parse(xml);
        Map<String, Set<String>> shape = shape(ours);
        for (Map.Entry<String, Set<String>> element : shape.entrySet()) {
            assertThat(surefire).as("Surefire writes <%s>", element.getKey()).containsKey(element.getKey());
            assertThat(surefire.get(element.getKey())).as("attributes of <%s> as Surefire writes them", element.getKey())
                    .containsAll(element.getValue());
        }
        assertThat(shape.get("testsuite")).contains("name", "tests", "failures", "errors", "skipped", "time");
        assertThat(shape.get("testsuite/testcase")).contains("name", "classname", "time");
        for (String outcome : List.of("testsuite/testcase/failure", "testsuite/testcase/error")) {
            if (shape.containsKey(outcome)) {
                assertThat(shape.get(outcome)).contains("message", "type");
            }
        }
        Element suite = ours.getDocumentElement();
        assertThat(suite.getAttribute("tests")).isEqualTo(String.valueOf(ours.getElementsByTagName("testcase").getLength()));
        assertThat(suite.getAttribute("failures")).isEqualTo(String.valueOf(ours.getElementsByTagName("failure").getLength()));
        assertThat(suite.getAttribute("errors")).isEqualTo(String.valueOf(ours.getElementsByTagName("error").getLength()));
        assertThat(Double.parseDouble(suite.getAttribute("time"))).isNotNegative();
        List<String> order = List.of("failure", "error", "system-out", "system-err");
        List<Integer> positions = new ArrayList<>();
        for (Node child = ours.getElementsByTagName("testcase").item(0).getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element e) {
                positions.add(order.indexOf(e.getTagName()));
            }
        }
        assertThat(positions).doesNotContain(-1).isSorted();
    }

    /** Each element's path from the root, with the union of the attributes it has anywhere. */
    private static Map<String, Set<String>> shape(Document document) {
        Map<String, Set<String>> shape = new TreeMap<>();
        collect(document.getDocumentElement(), "", shape);
        return shape;
    }

    private static void collect(Element element, String parent, Map<String, Set<String>> shape) {
        String path = parent.isEmpty() ? element.getTagName() : parent + "/" + element.getTagName();
        Set<String> attributes = shape.computeIfAbsent(path, p -> new TreeSet<>());
        NamedNodeMap map = element.getAttributes();
        for (int i = 0; i < map.getLength(); i++) {
            attributes.add(map.item(i).getNodeName());
        }
        for (Node child = element.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element e) {
                collect(e, path, shape);
            }
        }
    }
}
