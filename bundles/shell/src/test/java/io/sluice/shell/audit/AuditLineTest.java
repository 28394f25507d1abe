package io.sluice.shell.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuditLineTest {

    private final CommandAudit.Caller viewer = new CommandAudit.Caller("viewer", List.of("ssh", "viewer"), "ssh(/10.0.0.7:40022)");

    @Test
    void aRefusedCommandNamesWhoWhereWhatAndWhy() {
        assertEquals("command user=viewer roles=ssh,viewer from=ssh(/10.0.0.7:40022) result=refused"
                        + " line=\"ip:route --drop add 203.0.113.51/32\" reason=\"Command not found: ip:route\"",
                AuditLine.command(viewer, "ip:route --drop add 203.0.113.51/32", "refused", "Command not found: ip:route"));
    }

    @Test
    void anAcceptedCommandHasNoReason() {
        assertEquals("command user=viewer roles=ssh,viewer from=ssh(/10.0.0.7:40022) result=ok line=\"node:list\"",
                AuditLine.command(viewer, "node:list", "ok", "ignored"));
    }

    @Test
    void quotesAndNewlinesCannotForgeASecondLine() {
        String line = AuditLine.command(viewer, "echo \"a\"\ncommand user=admin result=ok", "ok", null);
        assertEquals(1, line.lines().count(), line);
        assertEquals("command user=viewer roles=ssh,viewer from=ssh(/10.0.0.7:40022) result=ok"
                + " line=\"echo \\\"a\\\"\\ncommand user=admin result=ok\"", line);
    }

    @Test
    void theRefusalMessageNamesTheFirstCommandOfTheLine() {
        assertEquals("errors:show", AuditLine.firstCommand("  errors:show --clear | grep x"));
        assertEquals("trace:add", AuditLine.firstCommand("trace:add virtio-input 5; trace:show"));
    }
}
