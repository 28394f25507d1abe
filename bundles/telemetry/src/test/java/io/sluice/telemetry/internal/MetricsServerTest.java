package io.sluice.telemetry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetricsServerTest {

    private final HttpClient client = HttpClient.newHttpClient();
    private final AtomicInteger scrapes = new AtomicInteger();
    private MetricsServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(java.util.function.Supplier<String> body) throws IOException {
        server = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), body);
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        URI uri = URI.create(server.url()).resolve(path);
        return client.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void getMetricsAnswersTheTextWithItsContentType() throws Exception {
        start(() -> "sluice_workers " + scrapes.incrementAndGet() + "\n");
        HttpResponse<String> first = send("GET", "/metrics");
        assertEquals(200, first.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", first.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("sluice_workers 1\n", first.body());
        assertEquals("sluice_workers 2\n", send("GET", "/metrics").body(), "each scrape reads anew");
    }

    @Test
    void headAnswersWithoutABody() throws Exception {
        start(() -> "x 1\n");
        HttpResponse<String> head = send("HEAD", "/metrics");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
    }

    @Test
    void otherMethodsAreRefusedWithAllow() throws Exception {
        start(() -> "x 1\n");
        HttpResponse<String> post = send("POST", "/metrics");
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void otherPathsAreNotFoundAndReadNothing() throws Exception {
        start(() -> "x " + scrapes.incrementAndGet() + "\n");
        assertEquals(404, send("GET", "/").statusCode());
        assertEquals(404, send("GET", "/metrics/x").statusCode());
        assertEquals(0, scrapes.get());
    }

    @Test
    void aFailedReadIsA500() throws Exception {
        start(() -> {
            throw new IllegalStateException("series g{} written twice");
        });
        HttpResponse<String> failed = send("GET", "/metrics");
        assertEquals(500, failed.statusCode());
        assertTrue(failed.body().contains("written twice"), failed.body());
    }

    @Test
    void theUrlNamesTheChosenPort() throws Exception {
        start(() -> "x 1\n");
        assertTrue(server.url().matches("http://127\\.0\\.0\\.1:[1-9][0-9]*/metrics"), server.url());
    }

    @Test
    void aTakenPortIsAnIOException() throws Exception {
        start(() -> "x 1\n");
        assertThrows(IOException.class, () -> MetricsServer.start(server.address(), () -> "").close());
    }

    /** A changed configuration re-activates the component: the new server must get the port the old one had. */
    @Test
    void aClosedServersPortCanBeTakenAgainAtOnce() throws Exception {
        start(() -> "x 1\n");
        InetSocketAddress bound = server.address();
        server.close();
        server = MetricsServer.start(bound, () -> "x 2\n");
        assertEquals("x 2\n", send("GET", "/metrics").body());
    }

    @Test
    void optionsDefaultsAndChecks() {
        TelemetryOptions defaults = TelemetryOptions.from(Map.of());
        assertEquals(new TelemetryOptions(true, InetAddress.getLoopbackAddress(), 9464), defaults);
        TelemetryOptions set = TelemetryOptions.from(Map.of("enabled", "false", "address", "0.0.0.0", "port", "19464"));
        assertEquals(false, set.enabled());
        assertEquals("0.0.0.0", set.address().getHostAddress());
        assertEquals(19464, set.port());
        for (var bad : java.util.List.of(Map.of("port", "70000"), Map.of("port", "x"), Map.of("enabled", "yes"),
                Map.of("address", "box.example"))) {
            String key = bad.keySet().iterator().next();
            var e = assertThrows(IllegalArgumentException.class, () -> TelemetryOptions.from(bad));
            assertTrue(e.getMessage().startsWith(key + ":"), e.getMessage());
        }
    }
}
