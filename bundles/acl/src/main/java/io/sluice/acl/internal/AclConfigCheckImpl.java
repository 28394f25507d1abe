package io.sluice.acl.internal;

import io.sluice.acl.api.AclConfigCheck;
import org.osgi.service.component.annotations.Component;

import java.util.Map;

/** The parsers of {@link AclConfiguration} and {@link AclInterfaceConfiguration}, run without applying. */
@Component(service = AclConfigCheck.class)
public final class AclConfigCheckImpl implements AclConfigCheck {

    @Override
    public void check(String factoryPid, Map<String, Object> properties) {
        switch (factoryPid) {
            case ACL_PID -> AclConfiguration.parse(properties);
            case INTERFACE_PID -> AclInterfaceConfiguration.parse(properties);
            default -> throw new IllegalArgumentException("no ACL configuration has factory PID " + factoryPid);
        }
    }
}
