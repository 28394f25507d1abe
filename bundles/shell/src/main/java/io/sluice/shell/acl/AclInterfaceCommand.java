package io.sluice.shell.acl;

import io.sluice.acl.api.AclConfigCheck;
import io.sluice.acl.api.AclService;
import io.sluice.shell.config.ConsoleConfig;
import io.sluice.shell.config.InForce;
import io.sluice.shell.vnet.InterfaceNameCompleter;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.service.cm.ConfigurationAdmin;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code acl:interface set IF [--input ACLS] [--output ACLS]} and {@code acl:interface del IF} (VPP's
 * {@code set acl-plugin interface IF input|output acl N [del]}): an interface's ACL lists (names or indexes,
 * comma-separated, in order), kept as {@code etc/io.sluice.acl.interface-<name>.cfg}.
 */
@Command(scope = "acl", name = "interface", description = "Sets or deletes an interface's ACL lists, persisted as etc/io.sluice.acl.interface-*.cfg")
@Service
public class AclInterfaceCommand implements Action {

    @Reference
    AclService acls;

    @Reference
    AclConfigCheck check;

    @Reference
    ConfigurationAdmin configAdmin;

    @Argument(index = 0, name = "action", required = true, description = "set or del")
    String action;

    @Argument(index = 1, name = "interface", required = true, description = "interface name")
    @Completion(InterfaceNameCompleter.class)
    String interfaceName;

    @Option(name = "--input", description = "ACLs evaluated on packets received, comma-separated (index or name)")
    @Completion(AclCompleter.class)
    String input;

    @Option(name = "--output", description = "ACLs evaluated on packets sent, comma-separated (index or name)")
    @Completion(AclCompleter.class)
    String output;

    @Override
    public Object execute() throws Exception {
        ConsoleConfig config = new ConsoleConfig(configAdmin);
        ConsoleConfig.Stored existing = null;
        for (ConsoleConfig.Stored stored : config.factory(AclConfigCheck.INTERFACE_PID)) {
            if (interfaceName.equals(stored.value("interface"))) {
                existing = stored;
            }
        }
        switch (action) {
            case "set" -> {
                Map<String, Object> binding = new LinkedHashMap<>();
                binding.put("interface", interfaceName);
                String in = input != null ? names(input) : existing == null ? null : names(existing.value("input"));
                String out = output != null ? names(output) : existing == null ? null : names(existing.value("output"));
                if (in != null && !in.isEmpty()) {
                    binding.put("input", in);
                }
                if (out != null && !out.isEmpty()) {
                    binding.put("output", out);
                }
                String name = existing != null ? existing.name() : ConsoleConfig.nameOf(interfaceName);
                Map<String, Object> read = config.asRead(AclConfigCheck.INTERFACE_PID, name, binding);
                check.check(AclConfigCheck.INTERFACE_PID, read);
                config.write(AclConfigCheck.INTERFACE_PID, name, binding);
                InForce.report("ACL lists of " + interfaceName, read.get(ConsoleConfig.FILE_KEY).toString(),
                        () -> acls.bindings().stream().anyMatch(b -> b.interfaceName().equals(interfaceName)
                                && String.join(", ", b.input()).equals(in == null ? "" : in)
                                && String.join(", ", b.output()).equals(out == null ? "" : out)));
            }
            case "del" -> {
                if (existing == null) {
                    System.out.println("no ACL lists for " + interfaceName + " in etc/");
                } else {
                    config.delete(existing);
                    InForce.await(() -> acls.bindings().stream().noneMatch(b -> b.interfaceName().equals(interfaceName)));
                }
            }
            default -> throw new IllegalArgumentException("action must be set or del, not " + action);
        }
        return null;
    }

    /** "2, pod-ingress" with indexes as the names they stand for. */
    private String names(String list) {
        if (list == null) {
            return null;
        }
        StringBuilder names = new StringBuilder();
        for (String part : list.split(",")) {
            if (!names.isEmpty()) {
                names.append(", ");
            }
            names.append(part.isBlank() ? "" : StoredAcls.name(acls, part));
        }
        return names.toString();
    }
}
