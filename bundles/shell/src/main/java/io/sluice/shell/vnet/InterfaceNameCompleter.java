package io.sluice.shell.vnet;

import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import java.util.List;

/** Completes interface names from the interface table. */
@Service
public class InterfaceNameCompleter implements Completer {

    @Reference
    InterfaceTable interfaces;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter();
        InterfaceSnapshot snapshot = interfaces.snapshot();
        for (int sw = 1; sw < snapshot.size(); sw++) {
            if (snapshot.exists(sw)) {
                names.getStrings().add(snapshot.name(sw));
            }
        }
        return names.complete(session, commandLine, candidates);
    }
}
