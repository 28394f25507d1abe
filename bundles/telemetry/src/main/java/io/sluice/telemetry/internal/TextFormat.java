package io.sluice.telemetry.internal;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Prometheus' text exposition format, version 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format):
 *
 * <pre>
 *   # HELP sluice_interface_rx_packets_total Packets received on the interface.
 *   # TYPE sluice_interface_rx_packets_total counter
 *   sluice_interface_rx_packets_total{interface="tap2"} 1027
 * </pre>
 *
 * One HELP and one TYPE line per family, then the family's samples, all together (a family may not be resumed
 * later: Prometheus' parser refuses a second TYPE for a name). HELP text escapes {@code \} and line feed; label
 * values escape {@code \}, {@code "} and line feed; nothing else is escaped. Written by hand rather than with
 * Prometheus' Java client because the format is this small and the bundle then needs no third-party jar.
 *
 * <p>Misuse (a bad name, a family named twice, the wrong number of label values, the same label values twice
 * in a family) throws: each would make Prometheus refuse or silently drop part of the scrape.
 */
final class TextFormat {

    /** What a 0.0.4 endpoint answers with (Prometheus falls back to this format for any text/plain). */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final StringBuilder out;
    private final Set<String> familyNames = new HashSet<>();
    private final Set<String> seriesOfFamily = new HashSet<>();
    private String family;
    private String[] labelNames = new String[0];

    TextFormat(StringBuilder out) {
        this.out = out;
    }

    /** Starts a counter family; by convention (and promtool's lint) its name ends in {@code _total}. */
    TextFormat counter(String name, String help, String... labelNames) {
        if (!name.endsWith("_total")) {
            throw new IllegalArgumentException("counter " + name + ": a counter's name ends in _total");
        }
        return family(name, "counter", help, labelNames);
    }

    TextFormat gauge(String name, String help, String... labelNames) {
        return family(name, "gauge", help, labelNames);
    }

    private TextFormat family(String name, String type, String help, String... labels) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name '" + name + "' is not [a-zA-Z_:][a-zA-Z0-9_:]*");
        }
        if (!familyNames.add(name)) {
            throw new IllegalStateException("metric family " + name + " written twice");
        }
        for (String label : labels) {
            if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
                throw new IllegalArgumentException(name + ": label name '" + label + "' is not [a-zA-Z_][a-zA-Z0-9_]*"
                        + " or starts with __ (reserved)");
            }
        }
        family = name;
        labelNames = labels.clone();
        seriesOfFamily.clear();
        out.append("# HELP ").append(name).append(' ');
        escapeHelp(help);
        out.append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** A sample of the current family, with one value per label name the family declared. */
    TextFormat sample(long value, String... labelValues) {
        series(labelValues);
        out.append(value).append('\n');
        return this;
    }

    TextFormat sample(double value, String... labelValues) {
        series(labelValues);
        out.append(formatDouble(value)).append('\n');
        return this;
    }

    private void series(String... labelValues) {
        if (family == null) {
            throw new IllegalStateException("a sample before any family");
        }
        if (labelValues.length != labelNames.length) {
            throw new IllegalArgumentException(family + ": " + labelValues.length + " label values for "
                    + labelNames.length + " label names");
        }
        int start = out.length();
        out.append(family);
        if (labelNames.length > 0) {
            out.append('{');
            for (int i = 0; i < labelNames.length; i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labelNames[i]).append("=\"");
                escapeLabelValue(labelValues[i] == null ? "" : labelValues[i]);
                out.append('"');
            }
            out.append('}');
        }
        if (!seriesOfFamily.add(out.substring(start))) {
            throw new IllegalStateException("series " + out.substring(start) + " written twice");
        }
        out.append(' ');
    }

    private void escapeHelp(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    private void escapeLabelValue(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    /** Go's ParseFloat reads Java's Double.toString form ("1.5E-4"); infinities and NaN have their own words. */
    static String formatDouble(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        return Double.toString(value);
    }
}
