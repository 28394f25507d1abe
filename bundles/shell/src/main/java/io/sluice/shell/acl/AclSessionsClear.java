package io.sluice.shell.acl;

import io.sluice.acl.api.AclSessions;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Deletes every reflect session: replies to connections opened before are then judged by the rules again. */
@Command(scope = "acl", name = "sessions-clear", description = "Deletes every reflect session")
@Service
public class AclSessionsClear implements Action {

    @Reference
    AclSessions sessions;

    @Override
    public Object execute() {
        System.out.println("Deleted " + sessions.clear() + " sessions");
        return null;
    }
}
