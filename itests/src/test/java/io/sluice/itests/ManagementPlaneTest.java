package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The management plane as operators meet it: every command the booted image offers, as viewer, manager and admin,
 * against the table of docs/operations.md ("Roles and what each may run"), and the audit log afterwards.
 *
 * <p>How "may run" is checked without running destructive commands for real: every command is invoked as
 * {@code <command> --help} by each role. Karaf checks the command ACL before the command parses its arguments, so
 * a role that may not run it is refused (CommandAudit prints "refused: ..."), while a role that may gets the usage
 * text and nothing is executed. Commands whose ACL depends on their arguments are probed with those arguments
 * ({@code errors:show --clear --help}). Then the reads run for real as viewer and must answer; the forwarding-state
 * changes run for real as viewer (refused, and the FIB and traces must be unchanged) and as manager (done).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManagementPlaneTest {

    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[A-Za-z]");
    private static final Pattern HELP_ENTRY = Pattern.compile("^(\\S+)\\s+\\|\\s*(.*)$");

    /** The least role that may run a command; each role includes those before it. */
    enum Role { VIEWER, MANAGER, ADMIN }

    /**
     * Every command of the image and the least role that may run it. A command the image offers that is not here
     * fails the test: classify it here and give it an ACL line (etc/org.apache.karaf.command.acl.<scope>.cfg).
     */
    private static final Map<String, Role> CLASSIFICATION = new TreeMap<>();

    /** Probes whose ACL depends on the arguments: the probe's command line and the least role for it. */
    private static final Map<String, Role> ARGUMENT_PROBES = new LinkedHashMap<>();

    /**
     * Not probed as admin: a gogo function with no --help option, so the probe would run it (create a configuration
     * named "--help"). Admin may run it by the compulsory role like every admin command; viewer and manager are
     * still probed and must be refused.
     */
    private static final List<String> NOT_RUN_AS_ADMIN = List.of("cm:createFactoryConfiguration");

    static {
        viewer("acl:interfaces acl:list acl:sessions buffers:show node:list interface:list interface:features"
                + " interface:rx-placement"
                + " ip:fib ip:neighbors nat44:addresses nat44:interfaces nat44:sessions nat44:static-mappings"
                + " trace:show errors:show runtime:show pcap:status");
        manager("acl:sessions-clear ip:route nat44:sessions-clear trace:add trace:clear trace:filter pcap:trace pcap:off");
        manager("interface:rx-mode interface:set-rx-placement");
        // Configuration from the console: checked by the owning bundle's parser, written to etc/ through ConfigAdmin.
        manager("interface:set ip:neighbor acl:rule acl:interface nat44:add-address nat44:interface"
                + " nat44:static-mapping");
        // An upgrade replaces code in the box: as bundle:update, admin only.
        admin("node:upgrade");
        // Issue 19's listings and live views: reads for viewers; a ping from the box and moving the console's
        // counter baseline for managers.
        viewer("interface:hardware nat44:summary monitor:interface runtime:top");
        manager("interface:clear-counters ip:ping");
        viewer("bundle:capabilities bundle:classes bundle:diag bundle:find-class bundle:headers bundle:id bundle:info"
                + " bundle:list bundle:requirements bundle:services bundle:status bundle:tree-show");
        admin("bundle:dynamic-import bundle:install bundle:load-test bundle:refresh bundle:resolve bundle:restart"
                + " bundle:start bundle:start-level bundle:stop bundle:uninstall bundle:update bundle:watch");
        admin("cm:createFactoryConfiguration cm:getConfiguration cm:getFactoryConfiguration"
                + " cm:listConfigurations");
        viewer("config:exists config:list config:meta config:property-get config:property-list");
        admin("config:cancel config:delete config:edit config:install config:property-append config:property-delete"
                + " config:property-set config:update");
        viewer("feature:info feature:list feature:provided feature:regions feature:repo-list feature:requirement-list"
                + " feature:status feature:version-list");
        admin("feature:export-bundles feature:install feature:refresh feature:repo-add feature:repo-refresh"
                + " feature:repo-remove feature:requirement-add feature:requirement-remove feature:start feature:stop"
                + " feature:uninstall");
        viewer("jaas:whoami jaas:realm-list");
        admin("jaas:cancel jaas:group-add jaas:group-create jaas:group-delete jaas:group-list jaas:group-role-add"
                + " jaas:group-role-delete jaas:module-add jaas:pending-list jaas:realm-add jaas:realm-manage"
                + " jaas:role-add jaas:role-delete jaas:su jaas:sudo jaas:update jaas:user-add jaas:user-delete"
                + " jaas:user-list");
        viewer("log:display log:exception-display log:get log:tail");
        admin("log:clear log:load-test log:log log:set");
        viewer("scr:config scr:info scr:list");
        admin("scr:disable scr:enable");
        viewer("shell:break shell:clear shell:complete shell:completion shell:continue shell:date shell:each"
                + " shell:echo shell:format shell:getopt shell:history shell:if shell:info shell:keymap shell:logout"
                + " shell:not shell:printf shell:setopt shell:sleep shell:stack-traces-print shell:threads shell:throw"
                + " shell:try shell:ttop shell:type shell:unsetopt shell:until shell:watch shell:while");
        // gogo's completion helpers list files; addCommand and removeCommand change the command table.
        admin("shell:__directories shell:__files shell:__usage_completion shell:addCommand shell:removeCommand");
        admin("shell:alias shell:bg shell:cat shell:cd shell:eval shell:exec shell:fg shell:grep shell:head"
                + " shell:java shell:jobs shell:kill shell:less shell:ls shell:nano shell:new shell:pwd"
                + " shell:set shell:sort shell:source shell:tac shell:tail shell:tmux shell:wc shell:widget");
        admin("ssh:ssh ssh:sshd");
        viewer("system:version");
        admin("system:framework system:name system:property system:shutdown system:start-level");
        viewer("help exit");
        ARGUMENT_PROBES.put("errors:show --clear", Role.MANAGER);
        ARGUMENT_PROBES.put("runtime:show --clear", Role.MANAGER);
    }

    /** Reads a viewer runs for real: each must answer (exit status 0). */
    private static final List<String> VIEWER_READS = List.of(
            "node:list --no-format", "interface:list --no-format", "interface:features local0", "ip:fib --no-format",
            "ip:neighbors --no-format", "nat44:sessions", "nat44:addresses --no-format", "nat44:interfaces",
            "nat44:static-mappings --no-format", "acl:list", "acl:interfaces --no-format", "acl:sessions",
            "trace:show", "errors:show --all --no-format", "runtime:show --no-format", "buffers:show --no-format",
            "pcap:status", "interface:hardware --no-format", "nat44:summary --no-format",
            "monitor:interface --interval 0.1 --count 1", "runtime:top --interval 0.1 --count 1", "bundle:list -t 0 --no-format", "feature:list -i --no-format", "config:list", "log:display -n 5",
            "system:version", "jaas:whoami", "echo ok");

    /** Forwarding-state changes: refused for a viewer, done for a manager (in this order, so state is restored). */
    private static final List<String> FORWARDING_CHANGES = List.of(
            "ip:route --drop add 203.0.113.51/32", "ip:route del 203.0.113.51/32", "nat44:sessions-clear",
            "acl:sessions-clear", "trace:add virtio-input 5", "trace:clear", "errors:show --clear",
            "runtime:show --clear", "pcap:off",
            "nat44:static-mapping --out2in-only tcp 10.1.1.9:8081 203.0.113.9:81",
            "nat44:static-mapping --del --out2in-only tcp 10.1.1.9:8081 203.0.113.9:81");

    /** Changes a manager may not make either. */
    private static final List<String> ADMIN_CHANGES = List.of(
            "bundle:stop io.sluice.sluice-shell", "feature:uninstall sluice-driver-pg", "config:edit io.sluice.graph",
            "jaas:realm-manage --realm karaf", "system:property karaf.secured.command.compulsory.roles viewer",
            "($.context bundle 0) getSymbolicName", "cat etc/host.key");

    private static BootedBox box;
    private static final Map<Role, KeyPair> KEYS = new LinkedHashMap<>();
    /** Every command line this test ran, by whom, and whether it was refused: what the audit log must hold. */
    private static final List<Attempt> ATTEMPTS = new ArrayList<>();

    private record Attempt(Role role, String line, boolean refused) {
    }

    private record Result(int exitStatus, String output) {
        boolean refused() {
            return output.contains("refused: ");
        }
    }

    @BeforeAll
    static void bootTheImage() throws Exception {
        Map<String, KeyPair> keysByUser = new LinkedHashMap<>();
        for (Role role : Role.values()) {
            KeyPair key = BootedBox.rsaKeyPair();
            KEYS.put(role, key);
            keysByUser.put(role.name().toLowerCase(), key);
        }
        box = BootedBox.boot("management-box", keysByUser);
    }

    @AfterAll
    static void stopTheImage() throws Exception {
        BootedBox.stop(box);
    }

    @Test
    @Order(1)
    void everyCommandTheImageOffersIsClassifiedAndEachRoleMayRunExactlyItsShare() throws Exception {
        Result help = run(Role.ADMIN, "*:help");
        TreeSet<String> offered = new TreeSet<>();
        for (String line : help.output().lines().toList()) {
            Matcher entry = HELP_ENTRY.matcher(line);
            // Scope names alone ("acl | Enter the subshell") are not commands.
            if (entry.matches() && !entry.group(2).startsWith("Enter the subshell")) {
                offered.add(entry.group(1));
            }
        }
        StringBuilder listing = new StringBuilder("Commands of the booted image (" + offered.size() + "), least role:\n");
        List<String> unclassified = new ArrayList<>();
        for (String command : offered) {
            Role role = CLASSIFICATION.get(command);
            listing.append(String.format("  %-28s %s%n", command, role == null ? "UNCLASSIFIED" : role.name().toLowerCase()));
            if (role == null) {
                unclassified.add(command);
            }
        }
        ARGUMENT_PROBES.forEach((probe, role) -> listing.append(String.format("  %-28s %s%n", probe, role.name().toLowerCase())));
        System.out.print(listing);
        assertTrue(offered.size() > 150, "help listed only " + offered.size() + " commands:\n" + help.output());
        assertTrue(unclassified.isEmpty(), "commands with no classification (add them to CLASSIFICATION and an ACL line): "
                + unclassified + "\n" + listing);
        List<String> stale = CLASSIFICATION.keySet().stream().filter(command -> !offered.contains(command)).toList();
        assertTrue(stale.isEmpty(), "classified but not offered by the image (remove or rename): " + stale);

        List<String> wrong = new ArrayList<>();
        Map<String, Role> probes = new LinkedHashMap<>(CLASSIFICATION);
        probes.putAll(ARGUMENT_PROBES);
        for (Map.Entry<String, Role> probe : probes.entrySet()) {
            for (Role caller : Role.values()) {
                if (caller == Role.ADMIN && NOT_RUN_AS_ADMIN.contains(probe.getKey())) {
                    continue;
                }
                String line = probe.getKey() + " --help";
                Result result = run(caller, line);
                boolean mayRun = caller.compareTo(probe.getValue()) >= 0;
                if (result.refused() == mayRun) {
                    wrong.add(caller.name().toLowerCase() + " " + line + ": expected " + (mayRun ? "allowed" : "refused")
                            + ", got: " + result.output().strip());
                }
                if (probe.getValue() != Role.VIEWER) {
                    ATTEMPTS.add(new Attempt(caller, line, !mayRun));
                }
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " role checks differ from the table:\n" + String.join("\n", wrong));
    }

    @Test
    @Order(2)
    void aViewerReadsEverythingAndChangesNothing() {
        for (String read : VIEWER_READS) {
            Result result = run(Role.VIEWER, read);
            assertEquals(0, result.exitStatus(), read + ": " + result.output());
            assertFalse(result.refused(), read + ": " + result.output());
        }
        String fibBefore = run(Role.ADMIN, "ip:fib --no-format").output();
        String tracesBefore = run(Role.ADMIN, "trace:show").output();
        for (String change : concat(FORWARDING_CHANGES, ADMIN_CHANGES)) {
            Result result = run(Role.VIEWER, change);
            assertTrue(result.refused(), "viewer: " + change + ": " + result.output());
            assertTrue(result.exitStatus() != 0, "viewer: " + change + " exited 0: " + result.output());
            ATTEMPTS.add(new Attempt(Role.VIEWER, change, true));
        }
        assertEquals(fibBefore, run(Role.ADMIN, "ip:fib --no-format").output(), "the FIB changed after a viewer's attempts");
        assertFalse(run(Role.ADMIN, "ip:fib 203.0.113.51").output().contains("drop"), "a viewer black-holed the server");
        assertEquals(tracesBefore, run(Role.ADMIN, "trace:show").output(), "traces changed after a viewer's attempts");
        assertTrue(run(Role.ADMIN, "bundle:list -t 0 --no-format").output().lines()
                .anyMatch(line -> line.contains("Sluice :: shell") && line.contains("Active")), "sluice-shell not Active");
    }

    @Test
    @Order(3)
    void aManagerChangesForwardingStateButNotTheSystem() {
        for (String change : FORWARDING_CHANGES) {
            Result result = run(Role.MANAGER, change);
            assertEquals(0, result.exitStatus(), "manager: " + change + ": " + result.output());
            ATTEMPTS.add(new Attempt(Role.MANAGER, change, false));
            if (change.startsWith("ip:route --drop add")) {
                assertTrue(run(Role.VIEWER, "ip:fib 203.0.113.51").output().contains("drop"), "the manager's drop route is not in the FIB");
            }
        }
        assertFalse(run(Role.VIEWER, "ip:fib 203.0.113.51").output().contains("drop"), "the manager's route was not deleted");
        for (String change : ADMIN_CHANGES) {
            Result result = run(Role.MANAGER, change);
            assertTrue(result.refused(), "manager: " + change + ": " + result.output());
            ATTEMPTS.add(new Attempt(Role.MANAGER, change, true));
        }
    }

    @Test
    @Order(4)
    void theAuditLogHoldsOneLinePerStateChangingAttemptWithWhoWhereAndWhat() throws Exception {
        assertFalse(ATTEMPTS.isEmpty(), "the tests before this one recorded no attempt");
        Path securityLog = box.home().resolve("data/log/security.log");
        List<String> lines = List.of();
        // The audit appender is asynchronous to the shell: give the last lines a moment.
        for (int i = 0; i < 50; i++) {
            lines = Files.readAllLines(securityLog);
            String last = ATTEMPTS.getLast().line();
            if (lines.stream().anyMatch(line -> line.contains(quoted(last)))) {
                break;
            }
            Thread.sleep(100);
        }
        List<String> missing = new ArrayList<>();
        for (Attempt attempt : ATTEMPTS) {
            String user = "command user=" + attempt.role().name().toLowerCase() + " ";
            long matching = lines.stream().filter(line -> line.contains(user) && line.contains("from=ssh(/127.0.0.1:")
                    && line.contains(" line=" + quoted(attempt.line()))
                    && line.contains(attempt.refused() ? " result=refused " : " result=")).count();
            long allOfThem = ATTEMPTS.stream().filter(other -> other.equals(attempt)).count();
            if (matching != allOfThem) {
                missing.add(attempt + ": " + matching + " lines, expected " + allOfThem);
            }
        }
        assertTrue(missing.isEmpty(), "audit lines missing or doubled in " + securityLog + ":\n" + String.join("\n", missing));
        assertTrue(lines.stream().allMatch(line -> line.matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z \\| .*")),
                "every audit line starts with its UTC time");
        assertTrue(lines.stream().anyMatch(line -> line.contains("Authentication succeeded - viewer - ssh(/127.0.0.1:")),
                "logins are audited");

        // A refused login (a key the box does not know, under a known name) is audited too.
        try (ClientSession stranger = box.client().connect("admin", "127.0.0.1", box.sshPort()).verify(10, TimeUnit.SECONDS).getSession()) {
            stranger.addPublicKeyIdentity(BootedBox.rsaKeyPair());
            assertThrowsIo(() -> stranger.auth().verify(10, TimeUnit.SECONDS));
        }
        Thread.sleep(500);
        assertTrue(Files.readAllLines(securityLog).stream().anyMatch(line -> line.contains("Authentication failed - admin - ssh(/127.0.0.1:")),
                "a refused login is audited");
        if (Files.exists(box.etc("org.ops4j.pax.logging.cfg"))) {
            String logging = Files.readString(box.etc("org.ops4j.pax.logging.cfg"));
            assertTrue(logging.contains("log4j2.appender.audit.append = true") && logging.contains("log4j2.appender.audit.strategy.max"),
                    "the audit log is appended across restarts and rotated");
        }
    }

    private static String quoted(String line) {
        return "\"" + line.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void assertThrowsIo(IoAction action) {
        try {
            action.run();
            fail("the login was accepted");
        } catch (IOException expected) {
            // refused, as it should be
        }
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /** One command line over its own SSH connection, as an operator's {@code ssh box 'cmd'}. */
    private static Result run(Role role, String command) {
        try {
            BootedBox.Result result = box.exec(role.name().toLowerCase(), KEYS.get(role), command);
            return new Result(result.exitStatus(), ANSI.matcher(result.output()).replaceAll(""));
        } catch (IOException e) {
            throw new IllegalStateException(role + ": " + command, e);
        }
    }

    private static void viewer(String commands) {
        classify(commands, Role.VIEWER);
    }

    private static void manager(String commands) {
        classify(commands, Role.MANAGER);
    }

    private static void admin(String commands) {
        classify(commands, Role.ADMIN);
    }

    private static void classify(String commands, Role role) {
        for (String command : commands.split(" ")) {
            if (CLASSIFICATION.put(command, role) != null) {
                throw new IllegalStateException(command + " classified twice");
            }
        }
    }
}
