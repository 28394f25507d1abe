package io.sluice.shell.nat44;

import io.sluice.nat44.api.AddressInfo;
import io.sluice.nat44.api.Nat44;
import io.sluice.packet.api.PacketFormat;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import java.util.List;

/** Completes the NAT44 pool's addresses. */
@Service
public class Nat44AddressCompleter implements Completer {

    @Reference
    Nat44 nat44;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter addresses = new StringsCompleter();
        for (AddressInfo address : nat44.addresses()) {
            addresses.getStrings().add(PacketFormat.formatIp4(address.address()));
        }
        return addresses.complete(session, commandLine, candidates);
    }
}
