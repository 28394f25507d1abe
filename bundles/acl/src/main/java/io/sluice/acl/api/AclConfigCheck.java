package io.sluice.acl.api;

import java.util.Map;

/**
 * Checks an ACL or an ACL binding configuration exactly as the component that reads it would, without applying
 * anything: the console checks what it is about to write through ConfigAdmin, so that a value the .cfg file would
 * have refused is refused at the prompt with the same message (file or PID, key and why).
 */
public interface AclConfigCheck {

    /** One ACL, files {@code etc/io.sluice.acl-<name>.cfg}. */
    String ACL_PID = "io.sluice.acl";

    /** One interface's ACL lists, files {@code etc/io.sluice.acl.interface-<name>.cfg}. */
    String INTERFACE_PID = "io.sluice.acl.interface";

    /**
     * Returns normally when {@code properties} would be accepted for {@code factoryPid}; otherwise throws
     * IllegalArgumentException with the message the component logs for such a file. An unknown PID is refused.
     */
    void check(String factoryPid, Map<String, Object> properties);
}
