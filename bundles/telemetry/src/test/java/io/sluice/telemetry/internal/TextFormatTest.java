package io.sluice.telemetry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TextFormatTest {

    private final StringBuilder out = new StringBuilder();
    private final TextFormat format = new TextFormat(out);

    @Test
    void aCounterFamilyIsHelpThenTypeThenItsSamples() {
        format.counter("sluice_interface_rx_packets_total", "Packets received.", "interface")
                .sample(1027, "tap2")
                .sample(0, "GigabitEthernet0/8/0");
        assertEquals("""
                # HELP sluice_interface_rx_packets_total Packets received.
                # TYPE sluice_interface_rx_packets_total counter
                sluice_interface_rx_packets_total{interface="tap2"} 1027
                sluice_interface_rx_packets_total{interface="GigabitEthernet0/8/0"} 0
                """, out.toString());
    }

    @Test
    void aGaugeWithoutLabelsHasNoBraces() {
        format.gauge("sluice_workers", "Workers.").sample(2);
        assertEquals("# HELP sluice_workers Workers.\n# TYPE sluice_workers gauge\nsluice_workers 2\n", out.toString());
    }

    @Test
    void labelsAreWrittenInTheOrderDeclared() {
        format.counter("sluice_errors_total", "Errors.", "node", "counter").sample(3, "acl-plugin-out-ip4-fa", "acl-drop");
        assertTrue(out.toString().endsWith("sluice_errors_total{node=\"acl-plugin-out-ip4-fa\",counter=\"acl-drop\"} 3\n"),
                out.toString());
    }

    @Test
    void labelValuesEscapeBackslashQuoteAndLineFeedOnly() {
        format.gauge("g", "h", "l").sample(1, "a\\b\"c\nd\te{}=,");
        assertTrue(out.toString().endsWith("g{l=\"a\\\\b\\\"c\\nd\te{}=,\"} 1\n"), out.toString());
    }

    @Test
    void helpEscapesBackslashAndLineFeedButNotQuotes() {
        format.gauge("g", "one \\ two\nthree \"quoted\"").sample(1);
        assertTrue(out.toString().startsWith("# HELP g one \\\\ two\\nthree \"quoted\"\n"), out.toString());
    }

    @Test
    void aNullLabelValueIsEmpty() {
        format.gauge("g", "h", "l").sample(1, (String) null);
        assertTrue(out.toString().endsWith("g{l=\"\"} 1\n"), out.toString());
    }

    @Test
    void doublesAreWrittenSoThatPrometheusParsesThem() {
        assertEquals("1.5", TextFormat.formatDouble(1.5));
        assertEquals("1.5E-4", TextFormat.formatDouble(1.5e-4));
        assertEquals("0.0", TextFormat.formatDouble(0));
        assertEquals("NaN", TextFormat.formatDouble(Double.NaN));
        assertEquals("+Inf", TextFormat.formatDouble(Double.POSITIVE_INFINITY));
        assertEquals("-Inf", TextFormat.formatDouble(Double.NEGATIVE_INFINITY));
    }

    @Test
    void aCounterNotEndingInTotalIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> format.counter("sluice_node_calls", "h"));
        assertTrue(e.getMessage().contains("_total"), e.getMessage());
    }

    @Test
    void badMetricNamesAreRefused() {
        for (String name : new String[] {"", "1abc", "a-b", "a.b", "a b", "sluice_é"}) {
            assertThrows(IllegalArgumentException.class, () -> new TextFormat(new StringBuilder()).gauge(name, "h"), name);
        }
        new TextFormat(new StringBuilder()).gauge("a:b_c9", "colons are allowed in metric names");
    }

    @Test
    void badLabelNamesAreRefused() {
        for (String label : new String[] {"__name", "1a", "a-b", "a:b", ""}) {
            assertThrows(IllegalArgumentException.class, () -> new TextFormat(new StringBuilder()).gauge("g", "h", label),
                    label);
        }
    }

    @Test
    void aFamilyWrittenTwiceIsRefused() {
        format.gauge("g", "h").sample(1);
        assertThrows(IllegalStateException.class, () -> format.gauge("g", "h"));
    }

    @Test
    void theSameSeriesTwiceIsRefused() {
        format.gauge("g", "h", "l").sample(1, "x");
        assertThrows(IllegalStateException.class, () -> format.sample(2, "x"));
    }

    @Test
    void theSameLabelValueInAnotherFamilyIsFine() {
        format.gauge("g", "h", "l").sample(1, "x");
        format.gauge("k", "h", "l").sample(1, "x");
        assertTrue(out.toString().contains("k{l=\"x\"} 1\n"));
    }

    @Test
    void theWrongNumberOfLabelValuesIsRefused() {
        format.gauge("g", "h", "a", "b");
        assertThrows(IllegalArgumentException.class, () -> format.sample(1, "x"));
        assertThrows(IllegalArgumentException.class, () -> format.sample(1, "x", "y", "z"));
    }

    @Test
    void aSampleBeforeAnyFamilyIsRefused() {
        assertThrows(IllegalStateException.class, () -> format.sample(1));
    }
}
