package io.sluice.shell.nat44;

import io.sluice.nat44.api.AddressInfo;
import io.sluice.nat44.api.Nat44;
import io.sluice.nat44.api.Nat44ConfigCheck;
import io.sluice.packet.api.PacketFormat;
import io.sluice.shell.config.ConsoleConfig;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.service.cm.ConfigurationAdmin;

/** {@code nat44:add-address A [--del]} (VPP's {@code nat44 add address A [del]}): the pool, in etc/io.sluice.nat44.cfg. */
@Command(scope = "nat44", name = "add-address", description = "Adds (or with --del removes) a NAT44 pool address, persisted in etc/io.sluice.nat44.cfg")
@Service
public class Nat44AddAddress implements Action {

    @Reference
    Nat44 nat44;

    @Reference
    Nat44ConfigCheck check;

    @Reference
    ConfigurationAdmin configAdmin;

    @Argument(index = 0, name = "address", required = true, description = "a.b.c.d")
    @Completion(Nat44AddressCompleter.class)
    String address;

    @Option(name = "--del", description = "remove the address (its dynamic sessions are deleted)")
    boolean delete;

    @Override
    public Object execute() throws Exception {
        Nat44Config config = new Nat44Config(new ConsoleConfig(configAdmin));
        config.change("addresses", address, delete);
        config.write(check, "NAT44 address " + address, () -> pooled() != delete);
        return null;
    }

    private boolean pooled() {
        int wanted = PacketFormat.parseIp4(address.trim());
        for (AddressInfo info : nat44.addresses()) {
            if (info.address() == wanted) {
                return true;
            }
        }
        return false;
    }
}
