package io.sluice.telemetry.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code GET /metrics} over the JDK's own HTTP server ({@code com.sun.net.httpserver}, module jdk.httpserver).
 * Chosen over Prometheus' Java client because that client's HTTPServer is itself a wrapper around this same
 * JDK server, and would add four non-OSGi jars to wrap into the features for a text format of a hundred lines;
 * the JDK server needs only its package exported by the system bundle (the image adds it to
 * {@code org.osgi.framework.system.packages.extra}, see karaf-assembly/distribution/pom.xml).
 *
 * <p>One thread serves every request, in turn: it is not a forwarding thread, and two scrapes at once would
 * only pause the workers twice as often (each scrape reads counters under the graph's barrier).
 */
final class MetricsServer implements AutoCloseable {

    static final String PATH = "/metrics";

    private static final System.Logger LOG = System.getLogger(MetricsServer.class.getName());

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Listens on {@code address} (port 0: any free port) and answers each scrape with {@code body.get()}. */
    static MetricsServer start(InetSocketAddress address, Supplier<String> body) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "sluice-telemetry");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> answer(exchange, body));
        server.start();
        return new MetricsServer(server, executor);
    }

    /** Where it listens, with the port the kernel chose when asked for 0. */
    InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code http://127.0.0.1:9464/metrics}: the address as a literal, IPv6 in brackets. */
    String url() {
        InetSocketAddress bound = server.getAddress();
        String host = bound.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort() + PATH;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static void answer(HttpExchange exchange, Supplier<String> body) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                send(exchange, 404, "text/plain; charset=utf-8", "Sluice serves its counters at " + PATH + "\n");
                return;
            }
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", method + " is not allowed; use GET\n");
                return;
            }
            String text;
            try {
                text = body.get();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "telemetry: reading the counters failed", e);
                send(exchange, 500, "text/plain; charset=utf-8", "reading the counters failed: " + e + "\n");
                return;
            }
            send(exchange, 200, TextFormat.CONTENT_TYPE, text);
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        // -1: no body (HEAD); otherwise the exact length, so the client needs no chunked decoding.
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
