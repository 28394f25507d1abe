package io.sluice.telemetry.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * What the box's syslog messages share (NAT44 events, ACL denies, NAT44 drop summaries): the RFC 5424 header and
 * the text of a packet's flow.
 */
final class Rfc5424 {
    static final int SEVERITY_WARNING = 4;
    static final int SEVERITY_INFORMATIONAL = 6;
    /** RFC 5424 section 6.2.3: a timestamp in UTC with at most six fractional digits; we give milliseconds. */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final int ICMP = 1;
    private static final int TCP = 6;
    private static final int UDP = 17;

    private Rfc5424() {
    }

    /**
     * PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID (RFC 5424 section 6.2; PROCID nil), PRI
     * being facility * 8 + severity (section 6.2.1).
     */
    static StringBuilder header(StringBuilder out, int facility, int severity, long epochMillis, String hostname,
                                String app, String msgid) {
        return out.append('<').append(facility * 8 + severity).append(">1 ")
                .append(TIMESTAMP.format(Instant.ofEpochMilli(epochMillis))).append(' ').append(hostname)
                .append(' ').append(app).append(" - ").append(msgid);
    }

    /**
     * {@code tcp a:p -> b:q}, {@code udp ...}, {@code icmp a -> b type T code C} (the ports carry ICMP's type and
     * code) or {@code proto N a -> b} for any other protocol.
     */
    static StringBuilder flow(StringBuilder out, int protocol, String source, int sourcePort, String destination,
                              int destinationPort) {
        return switch (protocol) {
            case TCP, UDP -> out.append(protocol == TCP ? "tcp " : "udp ").append(source).append(':')
                    .append(sourcePort).append(" -> ").append(destination).append(':').append(destinationPort);
            case ICMP -> out.append("icmp ").append(source).append(" -> ").append(destination)
                    .append(" type ").append(sourcePort).append(" code ").append(destinationPort);
            default -> out.append("proto ").append(protocol).append(' ').append(source).append(" -> ")
                    .append(destination);
        };
    }
}
