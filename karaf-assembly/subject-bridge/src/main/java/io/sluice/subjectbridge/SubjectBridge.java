package io.sluice.subjectbridge;

import java.security.AccessControlContext;
import java.security.PrivilegedAction;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import javax.security.auth.Subject;

/**
 * Same-signature replacements for the Subject calls that Karaf 4.4 makes and JDK 24+ no longer honours
 * (JEP 486 removed the Security Manager; {@code Subject.getSubject(AccessControlContext)} always throws).
 * {@link SubjectBridgeAgent} rewrites {@code invokestatic} call sites to point here.
 *
 * <p>The subject is bound twice: by {@link Subject#doAs} (which on JDK 24+ binds it for
 * {@link Subject#current()} in the calling thread only) and in an {@link InheritableThreadLocal}, because the
 * Karaf shell runs each command of a session in threads it creates inside the session's {@code doAs}; those
 * threads must see the logged-in user for role checks and ACLs.
 *
 * <p>Loaded by the application class loader from {@code lib/boot}; bundles reach it without an
 * Import-Package because {@code io.sluice.subjectbridge} is in {@code org.osgi.framework.bootdelegation}.
 */
public final class SubjectBridge {

    private static final InheritableThreadLocal<Subject> INHERITED_SUBJECT = new InheritableThreadLocal<>();

    private SubjectBridge() {
    }

    /**
     * Replaces {@code Subject.getSubject(AccessControlContext)}: the context argument carries nothing on
     * JDK 24+, so the answer is the subject bound to this thread, or inherited from the thread that made it.
     */
    public static Subject getSubject(AccessControlContext ignoredContext) {
        Subject current = Subject.current();
        return current != null ? current : INHERITED_SUBJECT.get();
    }

    /** Replaces {@code Subject.doAs(Subject, PrivilegedAction)} and Karaf's {@code JaasHelper.doAs}. */
    @SuppressWarnings("removal")
    public static <T> T doAs(Subject subject, PrivilegedAction<T> action) {
        Subject previous = INHERITED_SUBJECT.get();
        INHERITED_SUBJECT.set(subject);
        try {
            return Subject.doAs(subject, action);
        } finally {
            restore(previous);
        }
    }

    /** Replaces {@code Subject.doAs(Subject, PrivilegedExceptionAction)} and Karaf's {@code JaasHelper.doAs}. */
    @SuppressWarnings("removal")
    public static <T> T doAs(Subject subject, PrivilegedExceptionAction<T> action)
            throws PrivilegedActionException {
        Subject previous = INHERITED_SUBJECT.get();
        INHERITED_SUBJECT.set(subject);
        try {
            return Subject.doAs(subject, action);
        } finally {
            restore(previous);
        }
    }

    private static void restore(Subject previous) {
        if (previous == null) {
            INHERITED_SUBJECT.remove();
        } else {
            INHERITED_SUBJECT.set(previous);
        }
    }
}
