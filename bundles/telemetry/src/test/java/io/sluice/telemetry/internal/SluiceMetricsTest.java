package io.sluice.telemetry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.acl.api.AclSessions;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.GraphRuntime.BarrierStats;
import io.sluice.graph.api.GraphRuntime.BufferStats;
import io.sluice.graph.api.GraphRuntime.ErrorCount;
import io.sluice.graph.api.GraphRuntime.NodeStats;
import io.sluice.graph.api.NodeKind;
import io.sluice.nat44.api.AddressInfo;
import io.sluice.packet.api.PacketFormat;
import io.sluice.vnet.api.InterfaceTable.InterfaceStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The names and values of the exposition, from counters built by hand. */
class SluiceMetricsTest {

    private static final InterfaceStats TAP2 = new InterfaceStats(1, "tap2", 0x02fe00000002L, 1500, true, true,
            List.of("10.1.1.1/24"), 10, 1200, 9, 1100, 2, 1, 0);
    private static final InterfaceStats GBE = new InterfaceStats(2, "GigabitEthernet0/8/0", 0x02fe00000003L, 1500,
            true, false, List.of(), 9, 1100, 10, 1200, 0, 0, 4);
    private static final InterfaceStats REMOVED = new InterfaceStats(3, null, 0, 0, false, false, List.of(),
            0, 0, 0, 0, 0, 0, 0);

    private static Readings readings(AclSessions.SessionStats acl, Readings.Nat44Reading nat) {
        return new Readings(List.of(TAP2, GBE, REMOVED),
                List.of(new NodeStats("ip4-lookup", NodeKind.INTERNAL, "active", 5, 7, 0, 1_500_000_000L),
                        new NodeStats("nat44-out2in", NodeKind.INTERNAL, "absent (parking)", 0, 0, 0, 0)),
                List.of(new ErrorCount("acl-plugin-out-ip4-fa", "acl-drop", "ACL deny packets", 3),
                        new ErrorCount("ip4-input", "bad-checksum", "bad checksum", 0)),
                List.of(new BufferStats(0, 16384, 16380, 4, 0), new BufferStats(1, 16384, 16384, 0, 2)),
                new BarrierStats(12, 40_000, 250_000, 1_000_000), 2, acl, acl == null ? null : DENY, nat,
                nat == null ? null : DROPS, 3_000_000);
    }

    private static final AclSessions.SessionStats ACL = new AclSessions.SessionStats(20, 15, 5, 1, 100_000, 262_144, 11);
    private static final Readings.AclDenyReading DENY = new Readings.AclDenyReading(12, 1, 340, 11);
    private static final Readings.Nat44Reading NAT = new Readings.Nat44Reading(6, 3, 2, 1, 0, 65_536,
            List.of(new AddressInfo(PacketFormat.parseIp4("192.168.16.1"), 4, 1, 0)), 42, 3);

    private static final Readings.NatDropReading DROPS = new Readings.NatDropReading(57, 2, 9, 4);

    @Test
    void natDropLoggingCountsWhatWasRecordedLostSentAndSuppressed() {
        assertLines(SluiceMetrics.text(readings(ACL, NAT)),
                "sluice_nat44_drop_events_total 57",
                "sluice_nat44_drop_events_lost_total 2",
                "sluice_nat44_drop_lines_sent_total 9",
                "sluice_nat44_drop_lines_suppressed_total 4");
        Readings noExporter = new Readings(List.of(), List.of(), List.of(), List.of(),
                new BarrierStats(0, 0, 0, 0), 1, null, null, null, new Readings.NatDropReading(3, 0, -1, -1), 0);
        String quiet = SluiceMetrics.text(noExporter);
        assertLines(quiet, "sluice_nat44_drop_events_total 3");
        assertFalse(quiet.contains("sluice_nat44_drop_lines_sent_total"), quiet);
    }

    @Test
    void interfaceCountersCarryTheInterfaceName() {
        String text = SluiceMetrics.text(readings(ACL, NAT));
        assertLines(text,
                "sluice_interface_rx_packets_total{interface=\"tap2\"} 10",
                "sluice_interface_rx_bytes_total{interface=\"tap2\"} 1200",
                "sluice_interface_tx_packets_total{interface=\"GigabitEthernet0/8/0\"} 10",
                "sluice_interface_tx_bytes_total{interface=\"GigabitEthernet0/8/0\"} 1200",
                "sluice_interface_drops_total{interface=\"tap2\"} 2",
                "sluice_interface_rx_errors_total{interface=\"tap2\"} 1",
                "sluice_interface_tx_errors_total{interface=\"GigabitEthernet0/8/0\"} 4",
                "sluice_interface_admin_up{interface=\"tap2\"} 1",
                "sluice_interface_link_up{interface=\"GigabitEthernet0/8/0\"} 0");
    }

    @Test
    void aRemovedInterfaceIsNotExported() {
        String text = SluiceMetrics.text(readings(ACL, NAT));
        assertFalse(text.contains("interface=\"\""), text);
        assertEquals(2, text.lines().filter(l -> l.startsWith("sluice_interface_rx_packets_total{")).count(), text);
    }

    @Test
    void nodeCountersAndClocksInSeconds() {
        String text = SluiceMetrics.text(readings(ACL, NAT));
        assertLines(text,
                "sluice_node_calls_total{node=\"ip4-lookup\"} 5",
                "sluice_node_vectors_total{node=\"ip4-lookup\"} 7",
                "sluice_node_clock_seconds_total{node=\"ip4-lookup\"} 1.5",
                "sluice_node_active{node=\"ip4-lookup\"} 1",
                "sluice_node_active{node=\"nat44-out2in\"} 0");
    }

    @Test
    void errorCountersAreNamedByNodeAndCounterZerosIncluded() {
        String text = SluiceMetrics.text(readings(ACL, NAT));
        assertLines(text,
                "sluice_errors_total{node=\"acl-plugin-out-ip4-fa\",counter=\"acl-drop\"} 3",
                "sluice_errors_total{node=\"ip4-input\",counter=\"bad-checksum\"} 0");
    }

    @Test
    void buffersWorkersAndBarrier() {
        String text = SluiceMetrics.text(readings(ACL, NAT));
        assertLines(text,
                "sluice_buffer_pool_size{worker=\"0\"} 16384",
                "sluice_buffer_pool_outstanding{worker=\"0\"} 4",
                "sluice_buffer_pool_alloc_failures_total{worker=\"1\"} 2",
                "sluice_workers 2",
                "sluice_barrier_pauses_total 12",
                "sluice_barrier_pause_seconds_total 0.001",
                "sluice_barrier_pause_max_seconds 2.5E-4",
                "sluice_barrier_pause_last_seconds 4.0E-5",
                "sluice_telemetry_collect_seconds 0.003");
    }

    @Test
    void theWatchdogsViewOfTheWorkers() {
        Readings base = readings(ACL, NAT);
        Readings withHealth = new Readings(base.interfaces(), base.nodes(), base.errors(), base.buffers(),
                base.barrier(), base.workers(), base.acl(), base.aclDeny(), base.nat44(), base.collectNanos(),
                List.of(new GraphRuntime.WorkerHealth(0, "sluice_main", true, null, 0, 0),
                        new GraphRuntime.WorkerHealth(1, "sluice_wk_0", true, null, 0, 2, 1, 8, List.of("dpdk-input"))));
        String text = SluiceMetrics.text(withHealth);
        assertLines(text,
                "sluice_worker_stalls_total{worker=\"1\"} 2",
                "sluice_worker_restarts_total{worker=\"0\"} 0",
                "sluice_worker_restarts_total{worker=\"1\"} 1",
                "sluice_worker_failed_nodes{worker=\"1\"} 1");
        assertFalse(SluiceMetrics.text(base).contains("sluice_worker_restarts_total"), "without the watchdog's view");
    }

    @Test
    void aclAndNat44Figures() {
        String text = SluiceMetrics.text(readings(ACL, NAT));
        assertLines(text,
                "sluice_acl_sessions 5",
                "sluice_acl_sessions_max 100000",
                "sluice_acl_sessions_created_total 20",
                "sluice_acl_sessions_deleted_total 15",
                "sluice_acl_sessions_expired_total 11",
                "sluice_acl_sessions_refused_total 1",
                "sluice_nat44_sessions{protocol=\"tcp\"} 3",
                "sluice_nat44_sessions{protocol=\"udp\"} 2",
                "sluice_nat44_sessions{protocol=\"icmp\"} 1",
                "sluice_acl_deny_events_total 12",
                "sluice_acl_deny_events_lost_total 1",
                "sluice_acl_deny_rate_limited_total 340",
                "sluice_acl_deny_events_sent_total 11",
                "sluice_nat44_sessions_max 65536",
                "sluice_nat44_ports_in_use{address=\"192.168.16.1\",protocol=\"tcp\"} 4",
                "sluice_nat44_ports_in_use{address=\"192.168.16.1\",protocol=\"udp\"} 1",
                "sluice_nat44_ports_in_use{address=\"192.168.16.1\",protocol=\"icmp\"} 0",
                "sluice_nat44_events_total 42",
                "sluice_nat44_events_lost_total 3");
    }

    @Test
    void sessionsOfOtherProtocolsAppearOnlyWhenThereAreSomeAndWithoutAnExporterNothingIsSaidToBeSent() {
        Readings.Nat44Reading nat = new Readings.Nat44Reading(1, 0, 0, 2, 1024, List.of());
        String text = SluiceMetrics.text(readings(ACL, nat));
        assertLines(text, "sluice_nat44_sessions{protocol=\"other\"} 2", "sluice_nat44_sessions{protocol=\"udp\"} 0");
        assertFalse(SluiceMetrics.text(readings(ACL, NAT)).contains("protocol=\"other\"} "));
        Readings noExporter = new Readings(List.of(), List.of(), List.of(), List.of(),
                new BarrierStats(0, 0, 0, 0), 1, ACL, new Readings.AclDenyReading(1, 0, 0, -1), null, 0);
        String quiet = SluiceMetrics.text(noExporter);
        assertLines(quiet, "sluice_acl_deny_events_total 1");
        assertFalse(quiet.contains("sluice_acl_deny_events_sent_total"), quiet);
    }

    @Test
    void withoutAclOrNat44TheirFamiliesAreAbsent() {
        String text = SluiceMetrics.text(readings(null, null));
        assertFalse(text.contains("sluice_acl_"), text);
        assertFalse(text.contains("sluice_nat44_"), text);
        assertTrue(text.contains("sluice_interface_rx_packets_total{interface=\"tap2\"} 10"), text);
    }

    /** Every sample follows its family's HELP and TYPE; counters end in _total; no family appears twice. */
    @Test
    void everySampleHasItsHelpAndTypeFirst() {
        String text = SluiceMetrics.text(readings(ACL, NAT));
        Map<String, String> types = new HashMap<>();
        String help = null;
        for (String line : text.lines().toList()) {
            if (line.startsWith("# HELP ")) {
                help = line.split(" ")[2];
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                assertEquals(help, parts[2], "TYPE without its HELP just before: " + line);
                assertEquals(null, types.put(parts[2], parts[3]), "family twice: " + parts[2]);
                if (parts[3].equals("counter")) {
                    assertTrue(parts[2].endsWith("_total"), parts[2]);
                }
            } else {
                String name = line.split("[{ ]")[0];
                assertTrue(types.containsKey(name), "sample before its TYPE: " + line);
                assertTrue(line.startsWith("sluice_"), line);
            }
        }
        assertTrue(types.size() > 30, types.toString());
    }

    /** promtool's own lint (Prometheus' parser and naming rules), when it is installed. */
    @Test
    void promtoolAcceptsTheText() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        assumeTrue(Files.isExecutable(promtool), "promtool is not installed (Debian package prometheus; ./sluice test installs it)");
        Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        check.getOutputStream().write(SluiceMetrics.text(readings(ACL, NAT)).getBytes(StandardCharsets.UTF_8));
        check.getOutputStream().close();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, check.waitFor(), output);
        assertEquals("", output.strip(), "promtool's findings");
    }

    private static void assertLines(String text, String... lines) {
        List<String> all = text.lines().toList();
        for (String line : lines) {
            assertTrue(all.contains(line), "missing line: " + line + "\nin:\n" + text);
        }
    }
}
