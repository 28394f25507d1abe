package io.sluice.shell.acl;

import io.sluice.acl.api.Acl;
import io.sluice.acl.api.AclConfigCheck;
import io.sluice.acl.api.AclService;
import io.sluice.shell.config.ConsoleConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** The ACL configurations as the ACL commands find them: by name (the file's, or its {@code name} key) or index. */
final class StoredAcls {
    private StoredAcls() {
    }

    /** The name {@code acl} stands for: an index of an ACL in force, else the text itself. */
    static String name(AclService acls, String acl) {
        for (Acl defined : acls.acls()) {
            if (Integer.toString(defined.index()).equals(acl.trim())) {
                return defined.name();
            }
        }
        return acl.trim();
    }

    static ConsoleConfig.Stored find(ConsoleConfig config, String name) {
        for (ConsoleConfig.Stored stored : config.factory(AclConfigCheck.ACL_PID)) {
            String own = stored.value("name");
            if (name.equals(own) || own == null && name.equals(stored.name())) {
                return stored;
            }
        }
        return null;
    }

    /** The rule.N keys in order. */
    static List<String> rules(ConsoleConfig.Stored stored) {
        TreeMap<Integer, String> numbered = new TreeMap<>();
        if (stored != null) {
            for (String key : stored.properties().keySet()) {
                if (key.startsWith("rule.")) {
                    try {
                        numbered.put(Integer.parseInt(key.substring("rule.".length())), stored.value(key));
                    } catch (NumberFormatException e) {
                        // Not a rule key: the ACL's parser refuses the file with its own message.
                    }
                }
            }
        }
        return new ArrayList<>(numbered.values());
    }

    static Acl inForce(AclService acls, String name) {
        for (Acl acl : acls.acls()) {
            if (acl.name().equals(name)) {
                return acl;
            }
        }
        return null;
    }
}
