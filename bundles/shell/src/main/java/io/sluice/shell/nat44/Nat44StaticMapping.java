package io.sluice.shell.nat44;

import io.sluice.nat44.api.Nat44;
import io.sluice.nat44.api.Nat44ConfigCheck;
import io.sluice.nat44.api.StaticMapping;
import io.sluice.shell.config.ConsoleConfig;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.osgi.service.cm.ConfigurationAdmin;

import java.util.Locale;

/**
 * {@code nat44:static-mapping PROTO LOCAL[:PORT] EXTERNAL[:PORT] [--out2in-only] [--del]} and
 * {@code nat44:static-mapping --identity PROTO ADDRESS[:PORT]} (VPP's {@code nat44 add static mapping tcp local A P
 * external B Q [out2in-only] [del]}, {@code nat44 add identity mapping}): one entry of {@code static-mappings} in
 * etc/io.sluice.nat44.cfg, in that key's syntax.
 */
@Command(scope = "nat44", name = "static-mapping", description = "Adds (or with --del removes) a NAT44 static or identity mapping, persisted in etc/io.sluice.nat44.cfg")
@Service
public class Nat44StaticMapping implements Action {

    @Reference
    Nat44 nat44;

    @Reference
    Nat44ConfigCheck check;

    @Reference
    ConfigurationAdmin configAdmin;

    @Argument(index = 0, name = "protocol", required = true, description = "tcp, udp, icmp or any (address only)")
    @Completion(value = StringsCompleter.class, values = {"tcp", "udp", "icmp", "any"})
    String protocol;

    @Argument(index = 1, name = "local", required = true, description = "inside address[:port]")
    String local;

    @Argument(index = 2, name = "external", description = "outside address[:port] (not with --identity)")
    @Completion(Nat44AddressCompleter.class)
    String external;

    @Option(name = "--identity", description = "an identity mapping: exempt LOCAL from NAT")
    boolean identity;

    @Option(name = "--out2in-only", description = "only for connections that start outside")
    boolean out2inOnly;

    @Option(name = "--del", description = "remove the mapping")
    boolean delete;

    @Override
    public Object execute() throws Exception {
        String entry = (identity ? "identity " : "static ") + protocol + " " + local
                + (external == null ? "" : " " + external) + (out2inOnly ? " out2in-only" : "");
        Nat44Config config = new Nat44Config(new ConsoleConfig(configAdmin));
        config.change("static-mappings", entry, delete);
        config.write(check, "NAT44 mapping '" + entry + "'", () -> mapped(entry) != delete);
        return null;
    }

    private boolean mapped(String entry) {
        for (StaticMapping mapping : nat44.staticMappings()) {
            if (mapping.name().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT).equals(entry.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }
}
