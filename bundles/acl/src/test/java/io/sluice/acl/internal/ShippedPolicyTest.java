package io.sluice.acl.internal;

import io.sluice.acl.api.AclSessions.SessionInfo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.sluice.acl.internal.AclFixture.GBE;
import static io.sluice.acl.internal.AclFixture.TAP2;
import static io.sluice.acl.internal.TestPackets.NODE_IP;
import static io.sluice.acl.internal.TestPackets.POD_IP;
import static io.sluice.acl.internal.TestPackets.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ACL files the lab ships (itests/lab/etc/common, what {@code ./sluice lab up} installs), read as the box reads
 * them: unsolicited packets from the GbE create no session, whatever they are addressed to, while the pod's own
 * flows keep their sessions and their replies pass.
 */
class ShippedPolicyTest {
    private static final Path SHIPPED = Path.of("../../itests/lab/etc/common");
    private static final int SYN = 0x02;
    private static final int SYN_ACK = 0x12;
    private static final int RST = 0x04;

    @Test
    void unsolicitedPacketsFromTheGbeCreateNoSession() throws IOException {
        try (AclFixture box = new AclFixture(1000, io.sluice.acl.api.AclSessions.SessionTimeouts.VPP_DEFAULTS)) {
            applyShipped(box.manager);
            for (int flow = 0; flow < 300; flow++) {
                int internetHost = 0xc6336400 + flow; // 198.51.100.x
                box.receive(TestPackets.udp(internetHost, 1024 + flow, NODE_IP, 1 + flow), GBE, false);
                box.receive(TestPackets.tcp(internetHost, 2048 + flow, NODE_IP, 80, SYN), GBE, false);
                box.receive(TestPackets.tcp(internetHost, 2048 + flow, POD_IP, 80, RST), GBE, false);
                box.receive(TestPackets.udp(internetHost, 4096 + flow, POD_IP, 9999), GBE, false);
            }
            assertEquals(0, box.sessions.stats().live(), "no unsolicited packet from the GbE made a session");
            assertEquals(0, box.error(AclInputNode.NAME, "acl-new-session"));
            assertEquals(1200, box.error(AclInputNode.NAME, "acl-permit"), "they pass on, statelessly, to the NAT");

            // The pod's flow: its SYN reflects at the pod's input; the reply passes the GbE and matches at the pod.
            box.receive(TestPackets.seedSynFromPod(), TAP2, false);
            box.receive(TestPackets.seedSynAckFromServer(), GBE, false);
            box.send(TestPackets.seedSynAckToPod(), TAP2, false);
            List<SessionInfo> sessions = box.sessions.sessions(10);
            assertEquals(1, sessions.size(), "one session, the pod's: " + sessions);
            assertEquals(TAP2, sessions.get(0).swIfIndex());
            assertEquals(POD_IP, sessions.get(0).sourceAddress());
            assertEquals(SERVER_IP, sessions.get(0).destinationAddress());
            assertEquals(1, box.sentTap2.size(), "the reply reached the pod on its session");
            assertEquals(0, box.harness.outstanding());
        }
    }

    /** Defines the shipped ACLs and binds the shipped interfaces, each file parsed as its component parses it. */
    private static void applyShipped(AclManager manager) throws IOException {
        assertTrue(Files.isDirectory(SHIPPED), SHIPPED.toAbsolutePath() + " is the lab's shipped configuration");
        int bindings = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(SHIPPED, "io.sluice.acl-*.cfg")) {
            for (Path file : files) {
                manager.define(AclConfiguration.parse(read(file)));
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(SHIPPED, "io.sluice.acl.interface-*.cfg")) {
            for (Path file : files) {
                AclInterfaceConfiguration.Lists lists = AclInterfaceConfiguration.parse(read(file));
                manager.bind(lists.interfaceName(), lists.input(), lists.output());
                bindings++;
            }
        }
        assertTrue(bindings >= 2, "the GbE's and the pods' bindings are shipped");
    }

    private static Map<String, Object> read(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        }
        Map<String, Object> map = new HashMap<>();
        properties.forEach((key, value) -> map.put(key.toString(), value.toString()));
        map.put(ConfigSource.FILE_KEY, file.toAbsolutePath().toString());
        return map;
    }
}
