package org.apache.karaf.util.jaas;

import java.security.AccessControlContext;
import java.security.AccessController;
import java.security.PrivilegedAction;
import javax.security.auth.Subject;
import javax.security.auth.SubjectDomainCombiner;

/**
 * Test double named like Karaf's inlined helper, with its doAs shape: a privileged call under a context
 * carrying a SubjectDomainCombiner. On JDK 24+ that context no longer reaches Subject.current(), which is
 * why the agent redirects calls to this method.
 */
public final class JaasHelper {

    private JaasHelper() {
    }

    @SuppressWarnings("removal")
    public static <T> T doAs(Subject subject, PrivilegedAction<T> action) {
        AccessControlContext context =
                new AccessControlContext(AccessController.getContext(), new SubjectDomainCombiner(subject));
        return AccessController.doPrivileged(action, context);
    }
}
