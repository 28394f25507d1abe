package io.sluice.shell.monitor;

import java.util.Locale;

/** The options the live views share, checked the same way, and their header line. */
final class LiveOptions {

    /** Refreshing faster than this would spend the box on barriers for figures no one can read. */
    static final double MIN_INTERVAL_SECONDS = 0.1;

    private LiveOptions() {
    }

    static long intervalMillis(double intervalSeconds, int count) {
        if (!(intervalSeconds >= MIN_INTERVAL_SECONDS) || intervalSeconds > 3600) {
            throw new IllegalArgumentException("--interval " + intervalSeconds + ": seconds between "
                    + MIN_INTERVAL_SECONDS + " and 3600");
        }
        if (count < 0) {
            throw new IllegalArgumentException("--count " + count + ": a number of refreshes, 0 or more (0: until q)");
        }
        return Math.round(intervalSeconds * 1000);
    }

    /** {@code monitor interface: refresh 2/3 every 1.0 s (q quits)}. */
    static String header(String view, int refresh, int count, double intervalSeconds) {
        return String.format(Locale.ROOT, "%s: refresh %d%s every %.1f s (q quits)", view, refresh,
                count == 0 ? "" : "/" + count, intervalSeconds);
    }
}
