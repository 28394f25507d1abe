package io.sluice.shell.audit;

import java.security.Principal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.security.auth.Subject;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.CommandSessionListener;
import org.apache.karaf.shell.api.console.CommandLoggingFilter;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The command audit: one line in the "audit" log (data/log/security.log) for every command line any session runs,
 * accepted, refused or failed, with who ran it and from where. Karaf's shell calls every registered
 * {@link CommandSessionListener} before and after each line, in the session's thread, with the caller's Subject
 * bound; a refusal (a command the caller's roles may not see, or may not run with these arguments) arrives here
 * as the exception the ACL check threw, so refused attempts are recorded like the others.
 *
 * <p>A refusal also gets a line on the caller's console saying it was refused and why, before Karaf's own
 * "Command not found", which alone reads like a typing mistake.
 */
@Component(service = CommandSessionListener.class)
public final class CommandAudit implements CommandSessionListener {

    private static final System.Logger AUDIT = System.getLogger("audit");
    private static final String NOT_FOUND = "Command not found:";

    @Reference
    SessionFactory sessions;

    /** Karaf's and others' filters that mask secrets in command lines (ssh -P, passwords) before they are logged. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    final List<CommandLoggingFilter> filters = new CopyOnWriteArrayList<>();

    @Override
    public void beforeExecute(CommandSession session, CharSequence command) {
        // Recorded once it has an outcome: the line after the attempt says both what and how it ended.
    }

    @Override
    public void afterExecute(CommandSession session, CharSequence command, Object result) {
        if (isSessionInitScript()) {
            return;
        }
        AUDIT.log(System.Logger.Level.INFO, AuditLine.command(Caller.current(), masked(command), "ok", null));
    }

    @Override
    public void afterExecute(CommandSession session, CharSequence command, Exception exception) {
        if (isSessionInitScript()) {
            return;
        }
        Caller caller = Caller.current();
        String outcome = outcome(exception);
        AUDIT.log(System.Logger.Level.INFO, AuditLine.command(caller, masked(command), outcome, exception.getMessage()));
        if (outcome.equals("refused")) {
            session.getConsole().println("refused: " + AuditLine.firstCommand(command) + " is not allowed for "
                    + caller.user() + " (roles " + String.join(",", caller.roles())
                    + "); see the roles in docs/operations.md");
        }
    }

    /**
     * Karaf runs etc/shell.init.script (and etc/scripts/*) through the same listeners when each session opens: the
     * box's own files, not the caller's input, and several kilobytes per login. They are told apart by the call
     * stack (Karaf's session classes running a script file), which a caller cannot forge; a session variable such as
     * Karaf's "script" could be set by the caller to hide commands.
     */
    private static boolean isSessionInitScript() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(frame ->
                frame.getMethodName().endsWith("xecuteScript")
                        && (frame.getClassName().equals("org.apache.karaf.shell.impl.console.ConsoleSessionImpl")
                                || frame.getClassName().equals("org.apache.karaf.shell.ssh.ShellCommand"))));
    }

    private String outcome(Exception exception) {
        if (exception instanceof SecurityException) {
            return "refused";
        }
        // The ACL hides commands from callers who may not run them: "not found" for a command the registry holds
        // is a refusal, not a typing mistake.
        // Gogo's CommandNotFoundException is in a package Karaf does not export: known by its name and message.
        // Karaf checks method calls on objects and output redirection as the pseudo-commands shell:.invoke and
        // shell:.redirect, which no registry holds.
        String message = String.valueOf(exception.getMessage());
        if (exception.getClass().getSimpleName().equals("CommandNotFoundException") && message.startsWith(NOT_FOUND)) {
            String command = message.substring(NOT_FOUND.length()).strip();
            if (command.startsWith("shell:.") || exists(command)) {
                return "refused";
            }
        }
        return "failed";
    }

    /** Registry.getCommand, unlike getCommands, does not filter by the caller's roles: it says what exists. */
    private boolean exists(String scopedName) {
        int colon = scopedName.indexOf(':');
        String scope = colon < 0 ? "*" : scopedName.substring(0, colon);
        return sessions.getRegistry().getCommand(scope, scopedName.substring(colon + 1)) != null;
    }

    private CharSequence masked(CharSequence command) {
        CharSequence line = command;
        for (CommandLoggingFilter filter : filters) {
            line = filter.filter(line);
        }
        return line;
    }

    /** Who runs a command: the JAAS subject Karaf bound to the session's thread at login. */
    record Caller(String user, List<String> roles, String from) {

        static Caller current() {
            Subject subject = Subject.current();
            if (subject == null) {
                return new Caller("unknown", List.of(), "unknown");
            }
            String user = "unknown";
            String from = "local";
            List<String> roles = new java.util.ArrayList<>();
            // By class name: the principal classes live in Karaf's jaas boot library, which this bundle need not import.
            for (Principal principal : subject.getPrincipals()) {
                switch (principal.getClass().getSimpleName()) {
                    case "UserPrincipal" -> user = principal.getName();
                    case "RolePrincipal" -> roles.add(principal.getName());
                    case "ClientPrincipal" -> from = principal.getName();
                    default -> { }
                }
            }
            roles.sort(null);
            return new Caller(user, List.copyOf(roles), from);
        }
    }
}
