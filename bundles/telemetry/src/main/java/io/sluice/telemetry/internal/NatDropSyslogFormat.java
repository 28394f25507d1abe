package io.sluice.telemetry.internal;

import io.sluice.packet.api.PacketFormat;
import java.util.function.IntFunction;

/**
 * A NAT drop summary's lines as RFC 5424 syslog messages, one per UDP datagram (RFC 5426), in the shape of the ACL
 * deny log's ({@link DenySyslogFormat}): APP-NAME {@code NAT}, MSGID {@code DROP}, no structured data, and a message
 * naming the reason as errors:show does, the source, its count over the interval and its last packet:
 *
 * <pre>
 * &lt;132&gt;1 2026-12-01T10:00:10.000Z box NAT - DROP - NAT drop nat44-out2in/icmp-no-session from 203.0.113.51:
 *   5 packets in 10 s, last icmp 203.0.113.51 -&gt; 192.168.16.1 type 3 code 3
 * &lt;132&gt;1 2026-12-01T10:00:10.000Z box NAT - DROP - NAT drop summary: 3 more (reason, source) pairs
 *   suppressed, 12 packets in 10 s (max-lines 100)
 * </pre>
 *
 * (each one line). PRI is facility * 8 + severity (RFC 5424 section 6.2.1): local0 (16) and warning (4), as the ACL
 * deny log's. The timestamp is the interval's end.
 */
final class NatDropSyslogFormat {
    private final int facility;
    private final String hostname;
    private final IntFunction<String> reasonNames;

    NatDropSyslogFormat(int facility, String hostname, IntFunction<String> reasonNames) {
        this.facility = facility;
        this.hostname = hostname;
        this.reasonNames = reasonNames;
    }

    String entry(NatDropSummary.Interval interval, NatDropSummary.Entry e) {
        String source = PacketFormat.formatIp4(e.source());
        String destination = PacketFormat.formatIp4(e.destination());
        StringBuilder out = header(interval).append("NAT drop ").append(reasonNames.apply(e.reason()))
                .append(" from ").append(source).append(": ").append(e.packets())
                .append(e.packets() == 1 ? " packet in " : " packets in ").append(seconds(interval)).append(" s, last ");
        return Rfc5424.flow(out, e.protocol(), source, e.sourcePort(), destination, e.destinationPort()).toString();
    }

    /** The line for what the cap left out, or null when nothing was. */
    String suppressed(NatDropSummary.Interval interval, int maxLines) {
        if (interval.suppressedPairs() == 0) {
            return null;
        }
        return header(interval).append("NAT drop summary: ").append(interval.suppressedPairs())
                .append(" more (reason, source) pairs suppressed, ").append(interval.suppressedPackets())
                .append(" packets in ").append(seconds(interval)).append(" s (max-lines ").append(maxLines).append(')')
                .toString();
    }

    private StringBuilder header(NatDropSummary.Interval interval) {
        return Rfc5424.header(new StringBuilder(200), facility, Rfc5424.SEVERITY_WARNING, interval.endMillis(),
                hostname, "NAT", "DROP").append(" - ");
    }

    private static long seconds(NatDropSummary.Interval interval) {
        return Math.max(1, Math.round((interval.endMillis() - interval.startMillis()) / 1000.0));
    }
}
