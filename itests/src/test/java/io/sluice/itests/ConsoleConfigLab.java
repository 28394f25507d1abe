package io.sluice.itests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 19's configuration from the console, on SeedLab's booted box: a route, an ACL rule, a NAT static mapping and an
 * interface address set with the console commands are in force, are in the box's etc/*.cfg, and are still in force
 * after {@code ./sluice stop} and {@code start}; a value the file would refuse is refused with the file's message. What
 * it changed is undone at the end, so the lab is as the seed made it for the tests after it.
 */
final class ConsoleConfigLab {
    /** Console commands over SSH, as {@code ./sluice shell}. */
    interface Console {
        SeedLab.Result run(String command) throws Exception;
    }

    /** {@code ./sluice stop}, {@code ./sluice start}, and the wait for the lab to forward again. */
    interface Restart {
        void run() throws Exception;
    }

    private static final String ROUTE = "ip:route --via 192.168.16.100 --interface GigabitEthernet0/8/0 add 198.51.100.0/24";
    private static final String RULE = "acl:rule --at 0 add global deny proto tcp dport 9";
    private static final String MAPPING = "nat44:static-mapping --out2in-only tcp 10.1.1.3:8080 192.168.16.1:8080";
    private static final String ADDRESS = "interface:set --address 192.168.17.1/24 GigabitEthernet0/8/0";
    /** Generous on a loaded 2-core machine: File Install writes a file within a second or two. */
    private static final long DEADLINE_NANOS = 60_000_000_000L;

    private final Console console;
    private final Path etc;

    ConsoleConfigLab(Console console, Path etc) {
        this.console = console;
        this.etc = etc;
    }

    void run(Restart restart) throws Exception {
        try {
            SeedLab.Result refused = console.run("ip:route --interface tap2 add 10.1.1.1/24");
            assertNotEquals(0, refused.exit(), "a route with host bits set was accepted: " + refused.all());
            assertTrue(refused.all().contains("key 'prefix': '10.1.1.1/24' has host bits set (did you mean 10.1.1.0/24?)"),
                    refused.all());
            assertFalse(Files.exists(etc.resolve("io.sluice.ip4.route-10.1.1.1-24.cfg")), "a refused route was written");

            for (String command : List.of(ROUTE, RULE, MAPPING, ADDRESS)) {
                SeedLab.Result result = console.run(command);
                assertEquals(0, result.exit(), command + ":\n" + result.all());
                assertFalse(result.all().contains("not in force yet"), command + ":\n" + result.all());
            }
            inForce();
            inFiles();

            restart.run();
            inForce();
            inFiles();
        } finally {
            for (String undo : List.of("ip:route del 198.51.100.0/24", "acl:rule del global 0",
                    "nat44:static-mapping --del --out2in-only tcp 10.1.1.3:8080 192.168.16.1:8080",
                    "interface:set --del-address 192.168.17.1/24 GigabitEthernet0/8/0")) {
                console.run(undo);
            }
        }
        await(() -> !Files.exists(etc.resolve("io.sluice.ip4.route-198.51.100.0-24.cfg")), "the route's file is deleted");
        assertFalse(Files.readString(etc.resolve("io.sluice.nat44.cfg")).contains("10.1.1.3:8080"));
    }

    /** The console shows each change: routes in the FIB, the rule first in ACL 2, the mapping, the local address. */
    private void inForce() throws Exception {
        awaitOutput("ip:fib --no-format 198.51.100.7", "198.51.100.0/24 static");
        awaitOutput("acl:list 2", "0: ipv4 deny src 0.0.0.0/0 dst 0.0.0.0/0 proto 6 sport 0-65535 dport 9-9");
        awaitOutput("nat44:static-mappings --no-format", "10.1.1.3");
        awaitOutput("nat44:static-mappings --no-format", "8080");
        awaitOutput("ip:fib --no-format", "192.168.17.1/32 local");
    }

    /** File Install wrote each change into the box's etc/: a new file for the route, the lab's files for the rest. */
    private void inFiles() throws Exception {
        awaitFile("io.sluice.ip4.route-198.51.100.0-24.cfg", "prefix = 198.51.100.0/24");
        awaitFile("io.sluice.ip4.route-198.51.100.0-24.cfg", "via = 192.168.16.100");
        awaitFile("io.sluice.acl-global.cfg", "deny proto tcp dport 9");
        awaitFile("io.sluice.nat44.cfg", "static tcp 10.1.1.3:8080 192.168.16.1:8080 out2in-only");
        awaitFile("io.sluice.interface-gbe.cfg", "192.168.17.1/24");
    }

    private void awaitOutput(String command, String expected) throws Exception {
        String[] last = {""};
        await(() -> {
            SeedLab.Result result = console.run(command);
            last[0] = result.all();
            return result.exit() == 0 && result.out().replaceAll("[ \t]+", " ").contains(expected);
        }, command + " shows '" + expected + "'; last:\n" + last[0]);
    }

    private void awaitFile(String name, String expected) throws Exception {
        Path file = etc.resolve(name);
        await(() -> Files.isRegularFile(file) && Files.readString(file).contains(expected),
                "etc/" + name + " holds '" + expected + "'");
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!condition.holds()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("within 60 s: " + what);
            }
            Thread.sleep(250);
        }
    }
}
