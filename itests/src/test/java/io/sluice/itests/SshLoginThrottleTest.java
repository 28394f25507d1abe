package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Repeated bad-key logins from one address are slowed down, then refused, while a valid key from another address
 * gets in at once (the throttle of docs/operations.md, "Failed logins"; shipped limits: 5 free failures, then a
 * back-off of 1 s doubling to 16 s). Loopback has a whole /8: the attacker is 127.0.0.1, the operator 127.0.0.2.
 */
class SshLoginThrottleTest {

    private static BootedBox box;
    private static KeyPair adminKey;
    private static KeyPair strangerKey;

    @BeforeAll
    static void bootTheImage() throws Exception {
        box = BootedBox.unpack("throttle-box");
        adminKey = BootedBox.rsaKeyPair();
        strangerKey = BootedBox.rsaKeyPair();
        box.addKey("admin", adminKey, "admingroup");
        box.start();
        box.awaitWorkingConsole("admin", adminKey);
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
