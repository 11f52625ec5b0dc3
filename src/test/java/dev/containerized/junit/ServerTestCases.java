package dev.containerized.junit;

import dev.containerized.container.Container;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Fixtures for {@link Server}: run through the engine by {@link ServerAnnotationTests}. */
class ServerTestCases {
    @Containerized
    @Server(command = {"httpd", "-f", "-p", "8080", "-h", "/etc"}, waitForPort = 8080, within = "10s")
    static class HttpServerReady {
        @Test
        void getsAFileThroughAHostPort(Container container) throws Exception {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + container.hostPort(8080) + "/passwd")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).startsWith("root:x:0:0:");
        }
    }

    @Containerized
    @Server(command = {"sh", "-c", "echo starting; sleep 0.2; echo 'first is up'; exec sleep 60"}, waitForLogLine = "first is up")
    @Server(command = {"nc", "-ll", "-p", "9000", "-e", "cat"}, waitForPort = 9000,
            waitForCommand = {"sh", "-c", "ps -o args | grep -q '^sleep 60'"})
    static class TwoServersInOrder {
        @Test
        void bothRun(Container container) {
            String ps = container.exec("ps", "-o", "args").stdout();
            assertThat(ps).contains("sleep 60").contains("nc -ll -p 9000 -e cat");
            assertThat(container.backgroundOutput()).contains("out| first is up");
        }

        @Test
        @Server(command = {"sh", "-c", "echo 'method server ready'; exec sleep 60"}, waitForLogLine = "ready$")
        void aMethodsServerComesLast(Container container) {
            String output = container.backgroundOutput();
            assertThat(output.indexOf("first is up")).isLessThan(output.indexOf("method server ready"));
            assertThat(output.indexOf("nc -ll")).isLessThan(output.indexOf("method server ready"));
        }
    }

    @Containerized(lifecycle = Containerized.Lifecycle.PER_CLASS)
    @Server(command = {"sh", "-c", "echo $$ > /tmp/server.pid; exec sleep 60"}, waitForCommand = {"test", "-s", "/tmp/server.pid"})
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class SharedByTheClass {
        static final List<String> PIDS = new ArrayList<>();

        @Test
        @Order(1)
        void first(Container container) {
            PIDS.add(container.exec("cat", "/tmp/server.pid").stdout());
        }

        @Test
        @Order(2)
        void second(Container container) {
            PIDS.add(container.exec("cat", "/tmp/server.pid").stdout());
            assertThat(container.exec("sh", "-c", "ps -o args | grep -c '^sleep 60'").stdout().strip()).isEqualTo("1");
        }
    }

    @Containerized
    @Server(command = {"sh", "-c", "echo 'reading /etc/app.conf'; echo 'fatal: /etc/app.conf: no such file' >&2; exit 2"},
            waitForPort = 8080, within = "1s")
    static class NeverReady {
        @Test
        void test(Container container) {
            throw new AssertionError("never runs: the server was not ready");
        }
    }

    @Containerized
    @Server(command = {})
    static class NoCommand {
        @Test
        void test(Container container) {
        }
    }

    @Containerized
    @Server(command = {"true"}, waitForPort = 8080, within = "soon")
    static class BadWithin {
        @Test
        void test(Container container) {
        }
    }

    @Containerized
    @Server(command = {"true"}, waitForLogLine = "(unclosed")
    static class BadPattern {
        @Test
        void test(Container container) {
        }
    }
}
