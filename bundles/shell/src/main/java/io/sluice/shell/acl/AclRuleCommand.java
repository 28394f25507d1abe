package io.sluice.shell.acl;

import io.sluice.acl.api.Acl;
import io.sluice.acl.api.AclConfigCheck;
import io.sluice.acl.api.AclRule;
import io.sluice.acl.api.AclService;
import io.sluice.shell.config.ConsoleConfig;
import io.sluice.shell.config.InForce;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.service.cm.ConfigurationAdmin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code acl:rule add ACL RULE... [--at N] [--index I]} and {@code acl:rule del ACL N} (VPP's {@code set acl-plugin
 * acl [index I] RULE, ...}, one rule at a time): the rules of the ACL's {@code etc/io.sluice.acl-<name>.cfg},
 * renumbered from 0 without gaps as the file needs them. An ACL not configured yet is created.
 */
@Command(scope = "acl", name = "rule", description = "Adds or deletes one rule of an ACL, persisted as etc/io.sluice.acl-*.cfg")
@Service
public class AclRuleCommand implements Action {

    @Reference
    AclService acls;

    @Reference
    AclConfigCheck check;

    @Reference
    ConfigurationAdmin configAdmin;

    @Argument(index = 0, name = "action", required = true, description = "add or del")
    String action;

    @Argument(index = 1, name = "acl", required = true, description = "ACL index or name")
    @Completion(AclCompleter.class)
    String acl;

    @Argument(index = 2, name = "rule", required = true, multiValued = true,
            description = "add: the rule, as acl:list prints it; del: the rule's number")
    List<String> words;

    @Option(name = "--at", description = "add: the rule's number (default: after the last)")
    Integer at;

    @Option(name = "--index", description = "add: the index of an ACL created by this rule (default: lowest free)")
    Integer index;

    @Override
    public Object execute() throws Exception {
        ConsoleConfig config = new ConsoleConfig(configAdmin);
        String name = StoredAcls.name(acls, acl);
        ConsoleConfig.Stored existing = StoredAcls.find(config, name);
        List<String> rules = StoredAcls.rules(existing);
        switch (action) {
            case "add" -> rules.add(at == null ? rules.size() : Math.max(0, Math.min(at, rules.size())),
                    String.join(" ", words));
            case "del" -> {
                int number = words.size() == 1 ? parse(words.get(0)) : -1;
                if (existing == null || number < 0 || number >= rules.size()) {
                    throw new IllegalArgumentException("ACL " + acl + " has no rule " + String.join(" ", words)
                            + " in etc/ (rules " + (rules.isEmpty() ? "none" : "0.." + (rules.size() - 1)) + ")");
                }
                rules.remove(number);
            }
            default -> throw new IllegalArgumentException("action must be add or del, not " + action);
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        if (existing != null) {
            existing.properties().forEach((key, value) -> {
                if (!key.startsWith("rule.")) {
                    properties.put(key, value);
                }
            });
        } else {
            if (index != null) {
                properties.put("index", index.toString());
            }
            if (!ConsoleConfig.nameOf(name).equals(name)) {
                properties.put("name", name);
            }
        }
        for (int r = 0; r < rules.size(); r++) {
            properties.put("rule." + r, rules.get(r));
        }
        String configName = existing != null ? existing.name() : ConsoleConfig.nameOf(name);
        Map<String, Object> read = config.asRead(AclConfigCheck.ACL_PID, configName, properties);
        check.check(AclConfigCheck.ACL_PID, read);
        config.write(AclConfigCheck.ACL_PID, configName, properties);
        List<AclRule> wanted = new ArrayList<>();
        for (String rule : rules) {
            wanted.add(AclRule.parse(rule));
        }
        InForce.report("ACL " + name, read.get(ConsoleConfig.FILE_KEY).toString(), () -> {
            Acl now = StoredAcls.inForce(acls, name);
            return now != null && now.rules().equals(wanted);
        });
        return null;
    }

    private static int parse(String number) {
        try {
            return Integer.parseInt(number.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
