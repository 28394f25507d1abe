package io.sluice.shell.nat44;

import io.sluice.nat44.api.Nat44;
import io.sluice.packet.api.PacketFormat;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Deletes NAT44 sessions: all of them, or those of one inside address. Their ports return to the pool. */
@Command(scope = "nat44", name = "sessions-clear", description = "Deletes NAT44 sessions (all, or of one inside address)")
@Service
public class Nat44SessionsClear implements Action {

    @Reference
    Nat44 nat44;

    @Argument(name = "inside-address", description = "Only this inside host's sessions")
    String insideAddress;

    @Override
    public Object execute() {
        int cleared = insideAddress == null ? nat44.clearSessions()
                : nat44.clearSessions(PacketFormat.parseIp4(insideAddress));
        System.out.println("cleared " + cleared + " session" + (cleared == 1 ? "" : "s"));
        return null;
    }
}
