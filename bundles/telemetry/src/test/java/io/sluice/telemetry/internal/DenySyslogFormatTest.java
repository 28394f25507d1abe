package io.sluice.telemetry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.acl.api.AclDenyEvent;
import io.sluice.packet.api.PacketFormat;
import org.junit.jupiter.api.Test;

/** ACL deny events as RFC 5424 lines: one per denied flow, firewall style. */
class DenySyslogFormatTest {
    private static final long TIME = 1_717_236_000_123L; // 2024-06-01T10:00:00.123Z

    private static long[] event(int protocol, int src, int sport, int dst, int dport, int sw, int direction,
                                int reason, int acl, int rule) {
        long[] r = new long[AclDenyEvent.LONGS];
        AclDenyEvent.pack(r, 0, TIME, src, dst, protocol, sport, dport, sw, direction, reason, acl, rule);
        return r;
    }

    @Test
    void aDenyRuleNamesInterfaceDirectionAclRuleAndFlow() {
        long[] r = event(6, PacketFormat.parseIp4("192.168.16.100"), 6666, PacketFormat.parseIp4("10.1.1.3"), 80, 6,
                AclDenyEvent.DIRECTION_INPUT, AclDenyEvent.REASON_RULE, 3, 1);
        assertEquals("<132>1 2024-06-01T10:00:00.123Z box1 ACL - DENY - ACL deny tap2 in acl 3 rule 1 tcp"
                + " 192.168.16.100:6666 -> 10.1.1.3:80", new DenySyslogFormat(16, "box1").format(r, 0, "tap2"));
    }

    @Test
    void implicitDenyFailClosedIcmpOtherProtocolsAndUnknownInterfaces() {
        DenySyslogFormat format = new DenySyslogFormat(23, "-");
        int server = PacketFormat.parseIp4("31.134.97.51");
        int pod = PacketFormat.parseIp4("10.1.1.3");
        assertEquals("<188>1 2024-06-01T10:00:00.123Z - ACL - DENY - ACL deny tap2 out no rule matched icmp"
                        + " 31.134.97.51 -> 10.1.1.3 type 8 code 0",
                format.format(event(1, server, 8, pod, 0, 6, AclDenyEvent.DIRECTION_OUTPUT,
                        AclDenyEvent.REASON_NO_MATCH, -1, -1), 0, "tap2"));
        assertEquals("<188>1 2024-06-01T10:00:00.123Z - ACL - DENY - ACL deny GigabitEthernet0/8/0 in no policy"
                        + " (acl-no-policy) udp 8.8.8.8:53 -> 10.1.1.3:5353",
                format.format(event(17, PacketFormat.parseIp4("8.8.8.8"), 53, pod, 5353, 1,
                        AclDenyEvent.DIRECTION_INPUT, AclDenyEvent.REASON_NO_POLICY, -1, -1), 0, "GigabitEthernet0/8/0"));
        assertEquals("<188>1 2024-06-01T10:00:00.123Z - ACL - DENY - ACL deny sw_if_index 9 in acl 0 rule 2 proto 47"
                        + " 31.134.97.51 -> 10.1.1.3",
                format.format(event(47, server, 0, pod, 0, 9, AclDenyEvent.DIRECTION_INPUT,
                        AclDenyEvent.REASON_RULE, 0, 2), 0, null));
    }
}
