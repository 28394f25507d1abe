package io.sluice.shell.nat44;

import io.sluice.nat44.api.InterfaceRole;
import io.sluice.nat44.api.Nat44;
import io.sluice.nat44.api.Nat44ConfigCheck;
import io.sluice.shell.config.ConsoleConfig;
import io.sluice.shell.vnet.InterfaceNameCompleter;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * {@code nat44:interface IF --in|--out|--output-feature [--del]} (VPP's {@code set interface nat44 in|out IF
 * [output-feature] [del]}): an interface's NAT44 role, in etc/io.sluice.nat44.cfg ({@code inside}, {@code outside},
 * {@code output-feature}).
 */
@Command(scope = "nat44", name = "interface", description = "Sets (or with --del removes) an interface's NAT44 role, persisted in etc/io.sluice.nat44.cfg")
@Service
public class Nat44Interface implements Action {

    @Reference
    Nat44 nat44;

    @Reference
    Nat44ConfigCheck check;

    @Reference
    ConfigurationAdmin configAdmin;

    @Argument(index = 0, name = "interface", required = true, description = "interface name")
    @Completion(InterfaceNameCompleter.class)
    String interfaceName;

    @Option(name = "--in", description = "inside: its hosts are translated")
    boolean inside;

    @Option(name = "--out", description = "outside: replies and static mappings are translated back")
    boolean outside;

    @Option(name = "--output-feature", description = "outside, source NAT in the post-routing phase")
    boolean outputFeature;

    @Option(name = "--del", description = "remove the role")
    boolean delete;

    @Override
    public Object execute() throws Exception {
        if ((inside ? 1 : 0) + (outside ? 1 : 0) + (outputFeature ? 1 : 0) != 1) {
            throw new IllegalArgumentException("give one role: --in, --out or --output-feature");
        }
        String key = inside ? "inside" : outside ? "outside" : "output-feature";
        Nat44Config config = new Nat44Config(new ConsoleConfig(configAdmin));
        config.change(key, interfaceName, delete);
        config.write(check, "NAT44 " + key + " " + interfaceName, () -> hasRole() != delete);
        return null;
    }

    private boolean hasRole() {
        for (InterfaceRole role : nat44.interfaces()) {
            if (role.name().equals(interfaceName)) {
                return inside ? role.inside() : outside ? role.outside() : role.outputFeature();
            }
        }
        return false;
    }
}
