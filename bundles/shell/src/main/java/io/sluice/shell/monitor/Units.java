package io.sluice.shell.monitor;

import java.util.Locale;

/** Figures as a live view prints them: SI prefixes (k, M, G, T) with three significant digits, as VPP's monitor. */
final class Units {

    private static final String[] PREFIXES = {"", "k", "M", "G", "T"};

    private Units() {
    }

    /** 0, 950, 1.23k, 45.6M, 789G: {@code value} with a prefix, at most three significant digits. */
    static String si(double value) {
        if (value < 0.005) {
            return "0";
        }
        int prefix = 0;
        double scaled = value;
        while (scaled >= 999.5 && prefix < PREFIXES.length - 1) {
            scaled /= 1000;
            prefix++;
        }
        String digits = scaled >= 99.95 ? String.format(Locale.ROOT, "%.0f", scaled)
                : scaled >= 9.995 ? String.format(Locale.ROOT, "%.1f", scaled)
                : String.format(Locale.ROOT, "%.2f", scaled);
        return digits + PREFIXES[prefix];
    }
}
