package io.sluice.acl.internal;

import io.sluice.acl.api.AclService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The ACL lists of one interface, from one factory configuration of PID {@code io.sluice.acl.interface}
 * (a file {@code etc/io.sluice.acl.interface-<name>.cfg}). Keys:
 * <pre>
 *  interface = tap2                      required: the interface's name
 *  input     = pod-reflect               ACL names, comma-separated, evaluated in order on packets received
 *  output    = pod-ingress-policy        the same for packets sent there
 * </pre>
 * At least one of input and output. A configuration with an error is refused with a message naming the
 * file, the key and why; the bindings in force stay as they were.
 */
@Component(service = {}, immediate = true, configurationPid = AclInterfaceConfiguration.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class AclInterfaceConfiguration {
    static final String FACTORY_PID = "io.sluice.acl.interface";
    static final String KEY_INTERFACE = "interface";
    static final String KEY_INPUT = "input";
    static final String KEY_OUTPUT = "output";

    private static final System.Logger LOG = System.getLogger(AclInterfaceConfiguration.class.getName());

    private final AclService acls;
    private String bound;

    /** An interface's lists as a configuration gives them. */
    record Lists(String interfaceName, List<String> input, List<String> output) {
    }

    @Activate
    public AclInterfaceConfiguration(@Reference AclService acls, Map<String, Object> properties) {
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
            if (bound != null) {
                acls.unbind(bound);
            }
        }
    }

    private void apply(Map<String, Object> properties) {
        try {
            Lists lists = parse(properties);
            if (bound != null && !bound.equals(lists.interfaceName())) {
                acls.unbind(bound);
            }
            acls.bind(lists.interfaceName(), lists.input(), lists.output());
            bound = lists.interfaceName();
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage());
        }
    }

    static Lists parse(Map<String, Object> properties) {
        String source = ConfigSource.describe(properties, FACTORY_PID);
        for (String key : properties.keySet()) {
            if (!key.equals(KEY_INTERFACE) && !key.equals(KEY_INPUT) && !key.equals(KEY_OUTPUT)
                    && !ConfigSource.isFrameworkKey(key)) {
                throw new IllegalArgumentException(source + ": key '" + key
                        + "' is not known: expected interface, input or output");
            }
        }
        String name = ConfigSource.string(properties, KEY_INTERFACE);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(source + ": key 'interface' is missing: the interface's name, e.g. tap2");
        }
        List<String> input = names(source, KEY_INPUT, ConfigSource.string(properties, KEY_INPUT));
        List<String> output = names(source, KEY_OUTPUT, ConfigSource.string(properties, KEY_OUTPUT));
        if (input.isEmpty() && output.isEmpty()) {
            throw new IllegalArgumentException(source + ": keys 'input' and 'output' are both missing or empty: "
                    + "an interface binding needs at least one ACL list");
        }
        return new Lists(name.trim(), input, output);
    }

    private static List<String> names(String source, String key, String text) {
        List<String> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String part : text.split(",")) {
            String name = part.trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException(source + ": key '" + key + "' = '" + text
                        + "': an empty ACL name between commas");
            }
            if (out.contains(name)) {
                throw new IllegalArgumentException(source + ": key '" + key + "' = '" + text + "': ACL '" + name
                        + "' is listed twice");
            }
            out.add(name);
        }
        return out;
    }
}
