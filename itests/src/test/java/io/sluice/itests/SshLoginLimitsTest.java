package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientSession.ClientSessionEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The limits on logging in, as the image ships them, against a booted box with a real SSH client:
 * <ul>
 * <li>repeated bad-key logins from one address are slowed down, then refused, while a valid key from another address
 * gets in at once (Sluice's throttle, etc/io.sluice.ssh.throttle.cfg: 5 free failures, then a back-off of 1 s
 * doubling to 16 s);</li>
 * <li>one connection gets a bounded number of authentication requests, and a bounded time to log in (Apache SSHD's
 * {@code max-auth-requests} and {@code auth-timeout}, set in etc/system.properties).</li>
 * </ul>
 * Loopback has a whole /8, and the throttle counts per address: each test comes from its own 127.0.0.x, so failures
 * one test provokes never slow another.
 */
class SshLoginLimitsTest {

    private static BootedBox box;
    private static KeyPair adminKey;
    private static KeyPair strangerKey;

    @BeforeAll
    static void bootTheImage() throws Exception {
        adminKey = BootedBox.rsaKeyPair();
        strangerKey = BootedBox.rsaKeyPair();
        box = BootedBox.boot("login-limits-box", Map.of("admin", adminKey));
        // Boot's own logins succeeded from 127.0.0.1: nothing counted against it.
    }

    @AfterAll
    static void stopTheImage() throws Exception {
        BootedBox.stop(box);
    }

    @Test
    void badKeysFromOneAddressGetSlowerThenRefusedWhileAnotherAddressLogsInAtOnce() throws Exception {
        long[] millis = new long[7];
        for (int i = 0; i < 7; i++) {
            millis[i] = badLogin("127.0.0.1");
        }
        // Failures 6 and 7 were answered only when their back-offs (1 s, 2 s) ended; an unthrottled refusal on
        // loopback takes a few hundred ms.
        assertTrue(millis[5] >= 1_000 && millis[6] >= 2_000, "refusals not slowed down: " + java.util.Arrays.toString(millis));

        // The 8th failure earns 4 s. While its answer waits, 127.0.0.1 is refused outright, even with a valid key ...
        CompletableFuture<Long> eighth = CompletableFuture.supplyAsync(() -> {
            try {
                return badLogin("127.0.0.1");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        awaitSecurityLog("ssh-throttle from=127.0.0.1 user=admin method=publickey failures=8 result=delayed delay-ms=4000");
        long refusedAt = System.nanoTime();
        assertThrows(IOException.class, () -> box.login("admin", adminKey, "127.0.0.1").close(),
                "a connection from 127.0.0.1 was accepted during its back-off");
        long refusedIn = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - refusedAt);
        assertTrue(refusedIn < 3_000, "the refusal itself took " + refusedIn + " ms");

        // ... and the operator at 127.0.0.2 is not held up: a login and a command within 5 s.
        long start = System.nanoTime();
        try (ClientSession operator = box.login("admin", adminKey, "127.0.0.2")) {
            assertTrue(operator.isAuthenticated());
        }
        long operatorMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(operatorMillis < 5_000, "the login from 127.0.0.2 took " + operatorMillis + " ms");

        assertTrue(eighth.get(30, TimeUnit.SECONDS) >= 3_000, "the 8th refusal was not held for its back-off");
        awaitSecurityLog("ssh-throttle from=127.0.0.1 failures=8 result=refused retry-in-ms=");
        awaitSecurityLog("ssh-throttle from=127.0.0.1 user=admin method=publickey failures=6 result=delayed delay-ms=1000");

        // Once the back-off is over the valid key gets in from 127.0.0.1 too, and that forgets its failures.
        Thread.sleep(500);
        BootedBox.Result nodes = box.exec("admin", adminKey, "node:list --no-format");
        assertEquals(0, nodes.exitStatus(), nodes.output());
        long afterReset = badLogin("127.0.0.1");
        assertTrue(afterReset < 1_000, "after a success the first failure is free again, took " + afterReset + " ms");
    }

    /**
     * SSHD counts the requests of one connection after its first: with max-auth-requests = N the first N + 1 are
     * answered and the next one ends the connection ("Too many authentication failures"). Clients (OpenSSH and
     * SSHD's alike) spend the first on method "none" to learn which methods the server takes, so N keys are tried.
     * A valid key offered after that many bad ones does not get in; offered after a few, it does.
     */
    @Test
    void oneConnectionTriesAtMostMaxAuthRequestsKeys() throws Exception {
        int maxRequests = Integer.parseInt(systemProperty("org.apache.sshd.config.max-auth-requests"));
        assertEquals(6, maxRequests, "the shipped limit (docs/operations.md)");
        int port;
        try (ClientSession session = box.connect("admin", "127.0.0.4")) {
            port = ((java.net.InetSocketAddress) session.getLocalAddress()).getPort();
            for (int i = 0; i < maxRequests + 3; i++) {
                session.addPublicKeyIdentity(ecKeyPair());
            }
            session.addPublicKeyIdentity(adminKey);
            assertThrows(IOException.class, () -> session.auth().verify(60, TimeUnit.SECONDS),
                    "the valid key got in after " + (maxRequests + 3) + " bad ones on one connection");
        }
        String from = "ssh(/127.0.0.4:" + port + ")";
        Thread.sleep(500);
        long failures = java.nio.file.Files.readAllLines(box.home().resolve("data/log/security.log")).stream()
                .filter(line -> line.contains("Authentication failed - admin - " + from)).count();
        assertEquals(maxRequests, failures, "keys refused on one connection from " + from + " before it was cut");

        // From another address: 127.0.0.4 is in back-off now, which would hold each of these refusals.
        try (ClientSession session = box.connect("admin", "127.0.0.6")) {
            for (int i = 0; i < 3; i++) {
                session.addPublicKeyIdentity(ecKeyPair());
            }
            session.addPublicKeyIdentity(adminKey);
            session.auth().verify(30, TimeUnit.SECONDS);
            assertTrue(session.isAuthenticated(), "3 bad keys, then the valid one");
        }
    }

    /** A connection that does not log in is closed auth-timeout after it opened (30 s shipped), not before. */
    @Test
    void aConnectionThatDoesNotLogInIsClosedAfterTheAuthTimeout() throws Exception {
        long timeout = Long.parseLong(systemProperty("org.apache.sshd.config.auth-timeout"));
        assertEquals(30_000, timeout, "the shipped limit (docs/operations.md)");
        long start = System.nanoTime();
        try (ClientSession idle = box.connect("admin", "127.0.0.5")) {
            idle.waitFor(EnumSet.of(ClientSessionEvent.CLOSED), timeout - 2_000);
            assertTrue(idle.isOpen(), "closed " + millisSince(start) + " ms after connecting, before the auth timeout");
            idle.waitFor(EnumSet.of(ClientSessionEvent.CLOSED), 15_000);
            long closedAfter = millisSince(start);
            assertFalse(idle.isOpen(), "still open " + closedAfter + " ms after connecting");
            assertTrue(closedAfter >= timeout - 1_000 && closedAfter <= timeout + 15_000, "closed after " + closedAfter + " ms");
        }
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static String systemProperty(String key) throws IOException {
        java.util.Properties properties = new java.util.Properties();
        try (var in = java.nio.file.Files.newBufferedReader(box.etc("system.properties"))) {
            properties.load(in);
        }
        String value = properties.getProperty(key);
        if (value == null) {
            throw new IllegalStateException(box.etc("system.properties") + " has no " + key);
        }
        return value.trim();
    }

    private static KeyPair ecKeyPair() throws java.security.GeneralSecurityException {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    /** One connection presenting a key the box does not know; returns how long the refusal took. */
    private static long badLogin(String from) throws IOException {
        long start = System.nanoTime();
        try (ClientSession session = box.connect("admin", from)) {
            session.addPublicKeyIdentity(strangerKey);
            assertThrows(IOException.class, () -> session.auth().verify(30, TimeUnit.SECONDS), "a stranger's key got in");
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static void awaitSecurityLog(String text) throws Exception {
        assertTrue(box.awaitSecurityLogLine(line -> line.contains(text), Duration.ofSeconds(10)).isPresent(),
                "no line with '" + text + "' in " + box.home().resolve("data/log/security.log"));
    }
}
