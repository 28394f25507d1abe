package io.sluice.shell.acl;

import io.sluice.acl.api.Acl;
import io.sluice.acl.api.AclService;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import java.util.List;

/** Completes ACLs by index (what VPP's commands take) and by name (what the files and bindings use). */
@Service
public class AclCompleter implements Completer {

    @Reference
    AclService acls;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter();
        for (Acl acl : acls.acls()) {
            names.getStrings().add(Integer.toString(acl.index()));
            names.getStrings().add(acl.name());
        }
        return names.complete(session, commandLine, candidates);
    }
}
