package com.example.servers;

import dev.containerized.container.BackgroundProcess;
import dev.containerized.container.Container;
import dev.containerized.container.Wait;
import dev.containerized.junit.Containerized;
import dev.containerized.junit.Server;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static dev.containerized.assertj.ContainerizedAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server in the container, reached from the test: busybox httpd serving a file, waited for, then
 * asked over HTTP through a port of the host's loopback; and the other way round, a mock server of
 * the test reached from inside.
 */
@Containerized
class HttpServerTests {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesAFileThroughAHostPort(Container container) throws Exception {
        assertThat(container.exec("sh", "-c", "mkdir /www && echo 'hello from the container' > /www/index.html")).succeeded();
        BackgroundProcess httpd = container.execInBackground("httpd", "-f", "-v", "-p", "8080", "-h", "/www");
        container.waitFor(Wait.forPort(8080).within(Duration.ofSeconds(10)));

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + container.hostPort(8080) + "/index.html")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("hello from the container\n");
        // httpd -v logs each response on stderr: the server's own view of the request.
        assertThat(httpd.awaitLine("response:\\d+", Duration.ofSeconds(5))).endsWith("response:200");
    }

    @Test
    @Server(command = {"httpd", "-f", "-p", "8080", "-h", "/etc"}, waitForPort = 8080, within = "10s")
    void aDeclaredServerIsReadyBeforeTheTest(Container container) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + container.hostPort(8080) + "/hosts")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.body()).contains("127.0.0.1 localhost");
    }

    @Test
    void reachesAMockServerOfTheTest(Container container) throws Exception {
        HttpServer mock = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        mock.createContext("/price", exchange -> {
            byte[] body = "42".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        mock.start();
        try {
            int port = container.exposeHostPort(mock.getAddress().getPort());

            assertThat(container.exec("wget", "-q", "-O", "-", "http://127.0.0.1:" + port + "/price")).succeeded().stdout().isEqualTo("42");
        } finally {
            mock.stop(0);
        }
    }
}
