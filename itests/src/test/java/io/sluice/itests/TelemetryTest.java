package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus endpoint of a booted image (bin/karaf, SSH and telemetry on free ports): scraped with a real
 * HTTP client, checked by promtool, counters present and never going back, and packet-generator traffic
 * showing up in them.
 */
class TelemetryTest {

    /** A family of each kind the box keeps; ACL and NAT44 are in the image, so theirs are too. */
    private static final List<String> FAMILIES = List.of(
            "sluice_interface_rx_packets_total", "sluice_interface_rx_bytes_total", "sluice_interface_tx_packets_total",
            "sluice_interface_tx_bytes_total", "sluice_interface_drops_total", "sluice_interface_rx_errors_total",
            "sluice_interface_tx_errors_total", "sluice_interface_admin_up", "sluice_interface_link_up",
            "sluice_node_calls_total", "sluice_node_vectors_total", "sluice_node_clock_seconds_total",
            "sluice_node_active", "sluice_errors_total", "sluice_buffer_pool_size", "sluice_buffer_pool_outstanding",
            "sluice_buffer_pool_alloc_failures_total", "sluice_workers", "sluice_barrier_pauses_total",
            "sluice_barrier_pause_seconds_total", "sluice_barrier_pause_max_seconds", "sluice_acl_sessions",
            "sluice_acl_sessions_refused_total", "sluice_acl_deny_events_total", "sluice_acl_deny_events_lost_total",
            "sluice_acl_deny_rate_limited_total", "sluice_nat44_sessions", "sluice_nat44_sessions_max",
            "sluice_telemetry_collect_seconds");

    private static BootedBox box;
    private static KeyPair adminKey;
    private static URI endpoint;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void bootTheImage() throws Exception {
        int port = BootedBox.freePort();
        adminKey = BootedBox.rsaKeyPair();
        box = BootedBox.boot("telemetry-box", Map.of("admin", adminKey),
                Map.of("io.sluice.telemetry.cfg", "enabled = true\naddress = 127.0.0.1\nport = " + port + "\n"));
        endpoint = URI.create("http://127.0.0.1:" + port + "/metrics");
    }

    @AfterAll
    static void stopTheImage() throws Exception {
        BootedBox.stop(box);
    }

    @Test
    void twoScrapesHoldEveryFamilyAndNoCounterGoesBack() throws Exception {
        Scrape first = scrape();
        Scrape second = scrape();
        for (String family : FAMILIES) {
            assertTrue(first.types.containsKey(family), "no " + family + " in:\n" + first.text);
        }
        assertEquals(Optional.of(0.0), first.value("sluice_interface_admin_up{interface=\"local0\"}"),
                "local0 (always there, down) is exported");
        for (String protocol : List.of("tcp", "udp", "icmp")) {
            assertTrue(first.value("sluice_nat44_sessions{protocol=\"" + protocol + "\"}").isPresent(),
                    "NAT44 sessions of " + protocol + " in:\n" + first.text);
        }
        int counters = 0;
        for (var sample : first.samples.entrySet()) {
            if ("counter".equals(first.types.get(familyOf(sample.getKey())))) {
                counters++;
                Double later = second.samples.get(sample.getKey());
                assertNotNull(later, sample.getKey() + " vanished between scrapes");
                assertTrue(later >= sample.getValue(), sample.getKey() + " went from " + sample.getValue() + " to " + later);
            }
        }
        assertTrue(counters > 100, counters + " counter samples");
        // Each scrape reads interfaces, runtime and errors under the barrier: three pauses, counted.
        assertTrue(second.value("sluice_barrier_pauses_total").orElseThrow()
                >= first.value("sluice_barrier_pauses_total").orElseThrow() + 3, "barrier pauses of a scrape");
        System.out.printf("telemetry: %d bytes, %d samples; collect %.1f ms, barrier pauses last %.2f ms, max %.2f ms%n",
                second.text.length(), second.samples.size(),
                second.value("sluice_telemetry_collect_seconds").orElseThrow() * 1e3,
                second.value("sluice_barrier_pause_last_seconds").orElseThrow() * 1e3,
                second.value("sluice_barrier_pause_max_seconds").orElseThrow() * 1e3);
    }

    @Test
    void promtoolFindsNothingToComplainAbout() throws Exception {
        Optional<Path> promtool = BootedBox.onPath("promtool");
        boolean root = "root".equals(System.getProperty("user.name"));
        assumeTrue(promtool.isPresent() || root,
                "promtool is not installed and this user cannot install it: apt-get install prometheus (./sluice test does)");
        assertTrue(promtool.isPresent(), "promtool is missing; ./sluice test installs it (Debian package prometheus)");
        String text = scrape().text;
        Process check = new ProcessBuilder(promtool.get().toString(), "check", "metrics").redirectErrorStream(true).start();
        check.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        check.getOutputStream().close();
        String findings = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, check.waitFor(), findings);
        assertEquals("", findings.strip(), "promtool check metrics");
    }

    /**
     * 100 packets from the packet generator into ethernet-input as if received on local0, which is down: pg-input's
     * vectors, ethernet-input's "down" error and local0's drops each rise by exactly 100.
     */
    @Test
    void packetGeneratorTrafficRaisesTheCounters() throws Exception {
        String vectors = "sluice_node_vectors_total{node=\"pg-input\"}";
        String down = "sluice_errors_total{node=\"ethernet-input\",counter=\"down\"}";
        String drops = "sluice_interface_drops_total{interface=\"local0\"}";
        Scrape before = scrape();
        BootedBox.Result injected = injectPackets("telemetry-test", 100);
        Scrape after = before;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (after.value(vectors).orElse(0.0) < before.value(vectors).orElse(0.0) + 100 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            after = scrape();
        }
        String context = "injection said: " + injected.output() + "\nafter:\n" + after.text;
        assertEquals(before.value(vectors).orElse(0.0) + 100, after.value(vectors).orElse(-1.0), context);
        assertEquals(before.value(down).orElse(0.0) + 100, after.value(down).orElse(-1.0), context);
        assertEquals(before.value(drops).orElse(0.0) + 100, after.value(drops).orElse(-1.0), context);
    }

    /**
     * The console has no packet-generator command yet, so this goes through Gogo's Java calls (admin only): the
     * generator service from the bundle context, PgStream's class from the generator's bundle (the shell's own
     * class loader cannot see it), and one 62-byte frame of ASCII whose ethertype (0x4343) nothing handles.
     */
    private static BootedBox.Result injectPackets(String stream, int count) throws Exception {
        return box.exec("admin", adminKey, "ref = $.context getServiceReference io.sluice.pg.api.PacketGenerator ; "
                + "pg = $.context getService $ref ; "
                + "cls = ($ref getBundle) loadClass io.sluice.pg.api.PgStream ; "
                + "packets = new java.util.ArrayList ; "
                + "$packets add (\"AAAAAABBBBBBCCpayload-payload-payload-payload-payload-payload\" getBytes) ; "
                + "each ($cls getConstructors) { s = $it newInstance " + stream + " $packets (new java.lang.Integer 0) "
                + "(new java.lang.Long " + count + ") (new java.lang.Long 0) ethernet-input ; "
                + "$pg add $s ; $pg enable " + stream + " }");
    }

    private record Scrape(String text, Map<String, String> types, Map<String, Double> samples) {
        Optional<Double> value(String series) {
            return Optional.ofNullable(samples.get(series));
        }
    }

    private static Scrape scrape() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", response.headers().firstValue("Content-Type").orElse(""));
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : response.body().lines().toList()) {
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                types.put(parts[2], parts[3]);
            } else if (!line.startsWith("#") && !line.isBlank()) {
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return new Scrape(response.body(), types, samples);
    }

    private static String familyOf(String series) {
        int brace = series.indexOf('{');
        return brace < 0 ? series : series.substring(0, brace);
    }
}
