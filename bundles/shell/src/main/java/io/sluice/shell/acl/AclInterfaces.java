package io.sluice.shell.acl;

import io.sluice.acl.api.AclService;
import io.sluice.acl.api.AclService.InterfaceBinding;
import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** ACL lists bound to interfaces, like VPP's {@code show acl-plugin interface}: names with their indices. */
@Command(scope = "acl", name = "interfaces", description = "Shows the input and output ACL lists of each interface")
@Service
public class AclInterfaces implements Action {

    @Reference
    AclService acls;

    @Option(name = "--no-format", description = "Plain columns, no table borders (for scripts)")
    boolean noFormat;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Interface");
        table.column("sw_if_index");
        table.column("Input");
        table.column("Output");
        for (InterfaceBinding binding : acls.bindings()) {
            table.addRow().addContent(binding.interfaceName(),
                    binding.swIfIndex() < 0 ? "absent" : Integer.toString(binding.swIfIndex()),
                    list(binding.input(), binding.inputIndices()), list(binding.output(), binding.outputIndices()));
        }
        table.print(System.out, !noFormat);
        return null;
    }

    /** "pod-reflect(3) global(2)"; an ACL not defined shows "(undefined)". */
    static String list(List<String> names, List<Integer> indices) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            parts.add(names.get(i) + (indices.get(i) < 0 ? "(undefined)" : "(" + indices.get(i) + ")"));
        }
        return String.join(" ", parts);
    }
}
