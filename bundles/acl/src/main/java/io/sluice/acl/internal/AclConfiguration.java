package io.sluice.acl.internal;

import io.sluice.acl.api.Acl;
import io.sluice.acl.api.AclRule;
import io.sluice.acl.api.AclService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One ACL from one factory configuration of PID {@code io.sluice.acl} (a file
 * {@code etc/io.sluice.acl-<name>.cfg}). Keys:
 * <pre>
 *  name   = pod-reflect            optional: the ACL's name; by default the file's name after "io.sluice.acl-"
 *  index  = 3                      optional: the ACL index VPP shows (acl-index, match: acl N); lowest free by default
 *  log    = deny                   optional: log the packets this ACL denies (AclDenyLog); none (the default) or deny
 *  rule.0 = permit+reflect src 0.0.0.0/0 dst 0.0.0.0/0
 *  rule.1 = deny proto tcp dport 23
 * </pre>
 * Rules are numbered from 0 without gaps, in evaluation order, in {@link AclRule}'s syntax. A configuration
 * with an error is refused as a whole with a message naming the file, the key and why; the ACL in force
 * (if any) stays as it was.
 */
@Component(service = {}, immediate = true, configurationPid = AclConfiguration.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class AclConfiguration {
    /** The largest index the dataplane's packed decision holds (23 bits, see AclDataplane). */
    static final int MAX_INDEX = 0x7ffffe;

    static final String FACTORY_PID = "io.sluice.acl";
    static final String KEY_NAME = "name";
    static final String KEY_INDEX = "index";
    static final String KEY_RULE_PREFIX = "rule.";
    static final String KEY_LOG = "log";
    static final String LOG_NONE = "none";
    static final String LOG_DENY = "deny";

    private static final System.Logger LOG = System.getLogger(AclConfiguration.class.getName());

    private final AclService acls;
    private String defined;

    @Activate
    public AclConfiguration(@Reference AclService acls, Map<String, Object> properties) {
        this.acls = acls;
        apply(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        apply(properties);
    }

    /**
     * Withdraws what this configuration put in force only when the configuration itself is deleted. Stopped for any
     * other reason (the bundle updated or stopped, the ACL service going away), it leaves the policy as it is, so
     * that an update never opens the firewall; the next instance applies the same file again.
     */
    @Deactivate
    void deactivate(int reason) {
        if (reason == DeactivationReason.CONFIGURATION_DELETED) {
            if (defined != null) {
                acls.remove(defined);
            }
        }
    }

    private void apply(Map<String, Object> properties) {
        try {
            Acl acl = parse(properties);
            if (defined != null && !defined.equals(acl.name())) {
                acls.remove(defined);
            }
            acls.define(acl);
            defined = acl.name();
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage());
        }
    }

    /** The ACL a configuration describes; the exception's message names the source, the key and why. */
    static Acl parse(Map<String, Object> properties) {
        String source = ConfigSource.describe(properties, FACTORY_PID);
        String name = ConfigSource.string(properties, KEY_NAME);
        if (name == null) {
            name = ConfigSource.nameFromFile(properties, FACTORY_PID);
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(source + ": key 'name' is missing and the file name gives none");
        }
        int index = -1;
        String indexText = ConfigSource.string(properties, KEY_INDEX);
        if (indexText != null) {
            try {
                index = Integer.parseInt(indexText.trim());
            } catch (NumberFormatException e) {
                index = -2;
            }
            if (index < 0 || index > MAX_INDEX) {
                throw new IllegalArgumentException(source + ": key 'index' = '" + indexText
                        + "': not an ACL index (a whole number, 0 to " + MAX_INDEX + ")");
            }
        }
        boolean logDenied = false;
        String logText = ConfigSource.string(properties, KEY_LOG);
        if (logText != null) {
            String log = logText.trim().toLowerCase(Locale.ROOT);
            if (log.equals(LOG_DENY)) {
                logDenied = true;
            } else if (!log.equals(LOG_NONE)) {
                throw new IllegalArgumentException(source + ": key 'log' = '" + logText
                        + "': expected deny (log the packets this ACL denies) or none");
            }
        }
        TreeMap<Integer, String> ruleTexts = new TreeMap<>();
        for (Map.Entry<String, Object> entry : properties.entrySet()) {
            String key = entry.getKey();
            if (key.equals(KEY_NAME) || key.equals(KEY_INDEX) || key.equals(KEY_LOG) || ConfigSource.isFrameworkKey(key)) {
                continue;
            }
            if (!key.startsWith(KEY_RULE_PREFIX)) {
                throw new IllegalArgumentException(source + ": key '" + key
                        + "' is not known: expected name, index, log or rule.N");
            }
            int number;
            try {
                number = Integer.parseInt(key.substring(KEY_RULE_PREFIX.length()));
            } catch (NumberFormatException e) {
                number = -1;
            }
            if (number < 0) {
                throw new IllegalArgumentException(source + ": key '" + key + "': rule keys are rule.0, rule.1, ...");
            }
            ruleTexts.put(number, String.valueOf(entry.getValue()));
        }
        List<AclRule> rules = new ArrayList<>();
        for (Map.Entry<Integer, String> entry : ruleTexts.entrySet()) {
            if (entry.getKey() != rules.size()) {
                throw new IllegalArgumentException(source + ": key 'rule." + rules.size()
                        + "' is missing: rules are numbered from 0 without gaps, as VPP shows them");
            }
            try {
                rules.add(AclRule.parse(entry.getValue()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ": key 'rule." + entry.getKey() + "' = '"
                        + entry.getValue() + "': " + e.getMessage());
            }
        }
        return new Acl(name.trim(), index, rules, logDenied);
    }
}
