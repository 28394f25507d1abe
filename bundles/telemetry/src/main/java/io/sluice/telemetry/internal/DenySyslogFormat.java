package io.sluice.telemetry.internal;

import io.sluice.acl.api.AclDenyEvent;
import io.sluice.packet.api.PacketFormat;

/**
 * ACL deny events as RFC 5424 syslog messages, one per UDP datagram (RFC 5426), in the shape of firewall deny logs:
 * APP-NAME {@code ACL}, MSGID {@code DENY}, no structured data, and a message naming the interface, the direction,
 * what denied the packet and the flow:
 *
 * <pre>
 * &lt;132&gt;1 2026-12-01T10:00:00.123Z box ACL - DENY - ACL deny tap2 in acl 3 rule 1 tcp 192.168.16.100:6666 -&gt; 10.1.1.3:80
 * &lt;132&gt;1 ... ACL - DENY - ACL deny tap2 out no rule matched icmp 31.134.97.51 -&gt; 10.1.1.3 type 8 code 0
 * &lt;132&gt;1 ... ACL - DENY - ACL deny GigabitEthernet0/8/0 in no policy (acl-no-policy) udp 8.8.8.8:53 -&gt; 10.1.1.3:5353
 * </pre>
 *
 * PRI is facility * 8 + severity (RFC 5424 section 6.2.1): local0 (16) and warning (4), as firewalls log denies. The
 * flow is as the ACL saw it (before NAT on input, after routing on output); a protocol other than TCP, UDP and ICMP is
 * {@code proto N} without ports. An interface the box no longer has is {@code sw_if_index N}.
 */
final class DenySyslogFormat {
    private final int facility;
    private final String hostname;

    DenySyslogFormat(int facility, String hostname) {
        this.facility = facility;
        this.hostname = hostname;
    }

    /** The message for event {@code i}; {@code interfaceName} is null when the interface is unknown. */
    String format(long[] r, int i, String interfaceName) {
        StringBuilder out = Rfc5424.header(new StringBuilder(160), facility, Rfc5424.SEVERITY_WARNING,
                AclDenyEvent.time(r, i), hostname, "ACL", "DENY").append(" - ACL deny ");
        if (interfaceName != null) {
            out.append(interfaceName);
        } else {
            out.append("sw_if_index ").append(AclDenyEvent.swIfIndex(r, i));
        }
        out.append(AclDenyEvent.direction(r, i) == AclDenyEvent.DIRECTION_INPUT ? " in " : " out ");
        switch (AclDenyEvent.reason(r, i)) {
            case AclDenyEvent.REASON_RULE -> out.append("acl ").append(AclDenyEvent.aclIndex(r, i))
                    .append(" rule ").append(AclDenyEvent.ruleIndex(r, i));
            case AclDenyEvent.REASON_NO_MATCH -> out.append("no rule matched");
            case AclDenyEvent.REASON_NO_POLICY -> out.append("no policy (acl-no-policy)");
            default -> out.append("reason ").append(AclDenyEvent.reason(r, i));
        }
        int protocol = AclDenyEvent.protocol(r, i);
        String source = PacketFormat.formatIp4(AclDenyEvent.sourceAddress(r, i));
        String destination = PacketFormat.formatIp4(AclDenyEvent.destinationAddress(r, i));
        return Rfc5424.flow(out.append(' '), protocol, source, AclDenyEvent.sourcePort(r, i), destination,
                AclDenyEvent.destinationPort(r, i)).toString();
    }
}
