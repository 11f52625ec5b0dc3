package dev.containerized.cli;

import dev.containerized.container.CgroupStats;
import dev.containerized.container.ExecResult;

import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * {@code --junit-xml FILE}: the run as a test report of one testcase, in the shape Maven Surefire
 * writes ({@code testsuite} with its counts, {@code testcase}, {@code failure} or {@code error} with a
 * message and a type, {@code system-out}, {@code system-err}), which GitLab, Jenkins and the GitHub
 * report actions read. The testcase fails when a limit was hit, the command failed or timed out; it is
 * an error when no container could be made. Its properties carry the figures.
 */
final class JunitReport {
    static final String SUITE = "containerized.run";
    /** What XML 1.0 may hold: anything else (a command's binary output) is dropped. */
    private static final Pattern NOT_XML = Pattern.compile("[^\\t\\n\\r\\x20-\\uD7FF\\uE000-\\uFFFD\\x{10000}-\\x{10FFFF}]");

    private JunitReport() {
    }

    static String write(RunOutcome outcome) {
        try {
            StringWriter text = new StringWriter();
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(text);
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeCharacters("\n");
            boolean error = outcome.run().isEmpty();
            List<String> failures = outcome.failures();
            String time = seconds(outcome.duration());
            xml.writeStartElement("testsuite");
            xml.writeAttribute("name", SUITE);
            xml.writeAttribute("time", time);
            xml.writeAttribute("tests", "1");
            xml.writeAttribute("errors", error ? "1" : "0");
            xml.writeAttribute("skipped", "0");
            xml.writeAttribute("failures", !error && !failures.isEmpty() ? "1" : "0");
            xml.writeCharacters("\n  ");
            writeProperties(xml, outcome);
            xml.writeCharacters("\n  ");
            xml.writeStartElement("testcase");
            xml.writeAttribute("name", clean(Shell.quote(outcome.command())));
            xml.writeAttribute("classname", SUITE);
            xml.writeAttribute("time", time);
            if (!failures.isEmpty()) {
                xml.writeCharacters("\n    ");
                xml.writeStartElement(error ? "error" : "failure");
                xml.writeAttribute("message", clean(String.join("; ", failures)).replace('\n', ' '));
                xml.writeAttribute("type", type(outcome));
                xml.writeCharacters(clean(Summary.line(outcome) + "\ncommand: " + Shell.quote(outcome.command()) + "\n"
                        + failures.stream().map(f -> "- " + f + "\n").collect(Collectors.joining())));
                xml.writeEndElement();
            }
            ExecResult result = outcome.run().map(r -> r.result()).orElse(null);
            if (result != null) {
                writeOutput(xml, "system-out", result.stdout());
                writeOutput(xml, "system-err", result.stderr());
            }
            xml.writeCharacters("\n  ");
            xml.writeEndElement();
            xml.writeCharacters("\n");
            xml.writeEndElement();
            xml.writeCharacters("\n");
            xml.writeEndDocument();
            xml.close();
            return text.toString();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write the JUnit XML report: " + e.getMessage(), e);
        }
    }

    /** What kind of failure, as Surefire puts the exception's class there. */
    private static String type(RunOutcome outcome) {
        if (outcome.run().isEmpty()) {
            return "containerized.ContainerException";
        }
        return outcome.limitHit() ? "containerized.LimitHit" : outcome.timedOut() ? "containerized.TimedOut" : "containerized.CommandFailed";
    }

    private static void writeProperties(XMLStreamWriter xml, RunOutcome outcome) throws XMLStreamException {
        Map<String, String> properties = new TreeMap<>();
        outcome.pidsLimit().ifPresent(l -> properties.put("pids.limit", Long.toString(l)));
        outcome.memoryLimitBytes().ifPresent(l -> properties.put("memory.limitBytes", Long.toString(l)));
        outcome.run().ifPresent(r -> {
            CgroupStats stats = r.stats();
            properties.put("pids.peak", Long.toString(stats.pidsPeak()));
            properties.put("pids.forksRefused", Long.toString(stats.forksRefused()));
            properties.put("memory.peakBytes", Long.toString(stats.memoryPeakBytes()));
            properties.put("memory.oomKills", Long.toString(stats.oomKills()));
            properties.put("exitCode", Long.toString(r.result().exitCode()));
        });
        properties.put("exitStatus", Integer.toString(outcome.exitStatus()));
        xml.writeStartElement("properties");
        for (Map.Entry<String, String> property : properties.entrySet()) {
            xml.writeCharacters("\n    ");
            xml.writeEmptyElement("property");
            xml.writeAttribute("name", property.getKey());
            xml.writeAttribute("value", property.getValue());
        }
        xml.writeCharacters("\n  ");
        xml.writeEndElement();
    }

    private static void writeOutput(XMLStreamWriter xml, String element, String output) throws XMLStreamException {
        if (output.isEmpty()) {
            return;
        }
        xml.writeCharacters("\n    ");
        xml.writeStartElement(element);
        xml.writeCharacters(clean(output));
        xml.writeEndElement();
    }

    private static String seconds(Duration duration) {
        return BigDecimal.valueOf(duration.toMillis(), 3).toPlainString();
    }

    private static String clean(String text) {
        return NOT_XML.matcher(text).replaceAll("");
    }
}
