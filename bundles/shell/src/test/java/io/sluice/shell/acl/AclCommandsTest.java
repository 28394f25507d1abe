package io.sluice.shell.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.acl.api.Acl;
import io.sluice.acl.api.AclRule;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AclCommandsTest {

    @Test
    void aclListPrintsShowAclPluginAclLines() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        AclList.print(List.of(
                new Acl("global", 2, List.of(AclRule.parse("deny dst 10.200.0.0/16"), AclRule.parse("permit"))),
                new Acl("pod-reflect", 3, List.of(AclRule.parse("permit+reflect proto 6 dport 80")))), 3, out);
        assertEquals(String.join("\n",
                "acl-index 3 count 1 tag {pod-reflect}",
                "        0: ipv4 permit+reflect src 0.0.0.0/0 dst 0.0.0.0/0 proto 6 sport 0-65535 dport 80-80",
                ""), bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
    }

    @Test
    void anAclThatLogsItsDeniesSaysSoInItsHeader() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        AclList.print(List.of(new Acl("pod-out", 3, List.of(AclRule.parse("deny proto udp dport 53")), true)), null, out);
        assertEquals("acl-index 3 count 1 tag {pod-out} log deny",
                bytes.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow());
    }

    @Test
    void interfaceListsShowNamesWithIndices() {
        assertEquals("pod-reflect(3) later(undefined)", AclInterfaces.list(List.of("pod-reflect", "later"), List.of(3, -1)));
        assertEquals("", AclInterfaces.list(List.of(), List.of()));
        assertEquals("10.1.1.3", AclSessionsShow.address(0x0a010103));
    }
}
