package io.sluice.shell.acl;

import io.sluice.acl.api.Acl;
import io.sluice.acl.api.AclService;
import java.io.PrintStream;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * The ACLs in the shape of VPP's {@code show acl-plugin acl}: a header per ACL (with {@code log deny} after it when the
 * ACL logs its denies), one line per rule.
 */
@Command(scope = "acl", name = "list", description = "Lists ACLs with their rules, as show acl-plugin acl")
@Service
public class AclList implements Action {

    @Reference
    AclService acls;

    @Argument(index = 0, name = "index", description = "Only the ACL with this index", required = false)
    Integer index;

    @Override
    public Object execute() {
        print(acls.acls(), index, System.out);
        return null;
    }

    static void print(List<Acl> acls, Integer only, PrintStream out) {
        for (Acl acl : acls) {
            if (only != null && acl.index() != only) {
                continue;
            }
            // VPP's header; an ACL that logs its denies (log = deny) says so after it, the others print as VPP does.
            out.printf("acl-index %d count %d tag {%s}%s%n", acl.index(), acl.rules().size(), acl.name(),
                    acl.logDenied() ? " log deny" : "");
            for (int r = 0; r < acl.rules().size(); r++) {
                out.printf("%9d: %s%n", r, acl.rules().get(r));
            }
        }
    }
}
