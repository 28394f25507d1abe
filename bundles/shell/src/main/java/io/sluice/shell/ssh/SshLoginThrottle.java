package io.sluice.shell.ssh;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.PublicKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.RuntimeSshException;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.AsyncAuthException;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Slows down and then refuses repeated failed SSH logins from one source address (rules in {@link LoginThrottle}),
 * without making any other address wait.
 *
 * <p>The hook: Karaf's shell-ssh registers the Apache SSHD {@link SshServer} it builds as an OSGi service (before it
 * starts it). This component takes that service and (1) wraps its public-key and password authenticators, to count
 * every key or password the box refuses, per address, and (2) adds an SSHD {@link SessionListener}, to refuse a new
 * connection from an address in back-off as soon as it is accepted (before key exchange, so a refused connection
 * costs no crypto) and to forget an address's failures when a login from it succeeds. SSHD looks both up on the
 * server at each use, so they apply to the next connection; they are removed again when this component stops.
 *
 * <p>Nothing sleeps: SSHD's two nio2 threads serve every connection, and a thread held by one address would delay
 * every other. A refusal that must wait for the back-off is answered asynchronously: the authenticator throws SSHD's
 * {@link AsyncAuthException} and a timer of this component completes it with "refused" when the back-off ends. Only
 * refusals are ever answered that way: an asynchronous "accepted" would skip SSHD's check of the key's signature.
 *
 * <p>Each back-off (an address passing its free failures) and the first connection refused in it are written to the
 * audit log (data/log/security.log) with the address's failure count and how many connections it had refused.
 */
@Component(service = {}, immediate = true, configurationPid = ThrottleSettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class SshLoginThrottle {

    private static final System.Logger AUDIT = System.getLogger("audit");
    private static final System.Logger LOG = System.getLogger(SshLoginThrottle.class.getName());
    /** Refusals waiting for their back-off at once; beyond it they are answered at once (memory stays bounded). */
    private static final int MAX_PENDING_ANSWERS = 1024;

    private final LoginThrottle throttle;
    private final ScheduledThreadPoolExecutor answers;
    private final Map<SshServer, Hook> hooks = new ConcurrentHashMap<>();

    @Activate
    public SshLoginThrottle(Map<String, Object> properties) {
        LoginThrottle.Limits limits;
        try {
            limits = ThrottleSettings.parse(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; refused, the built-in limits apply");
            limits = ThrottleSettings.DEFAULTS;
        }
        throttle = new LoginThrottle(limits);
        answers = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "sluice-ssh-throttle");
            thread.setDaemon(true);
            return thread;
        });
        answers.setRemoveOnCancelPolicy(true);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        try {
            throttle.limits(ThrottleSettings.parse(properties));
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; refused, the limits in force stay");
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindServer(SshServer server) {
        hooks.computeIfAbsent(server, Hook::new);
    }

    void unbindServer(SshServer server) {
        Hook hook = hooks.remove(server);
        if (hook != null) {
            hook.remove();
        }
    }

    @Deactivate
    void deactivate() {
        hooks.values().forEach(Hook::remove);
        hooks.clear();
        answers.shutdownNow();
    }

    LoginThrottle throttle() {
        return throttle;
    }

    private static long now() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    }

    /** The client's IP address; behind a PROXY-protocol acceptor, the one it reported (ServerSession's view). */
    static String addressOf(Session session) {
        SocketAddress client = session instanceof ServerSession server ? server.getClientAddress() : session.getRemoteAddress();
        if (client instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(client);
    }

    /** What this component added to one SSH server, and what it wrapped. */
    private final class Hook implements PublickeyAuthenticator, PasswordAuthenticator, SessionListener {
        private final SshServer server;
        private final PublickeyAuthenticator publickey;
        private final PasswordAuthenticator password;

        Hook(SshServer server) {
            this.server = server;
            this.publickey = server.getPublickeyAuthenticator();
            this.password = server.getPasswordAuthenticator();
            if (publickey != null) {
                server.setPublickeyAuthenticator(this);
            }
            if (password != null) {
                server.setPasswordAuthenticator(this);
            }
            server.addSessionListener(this);
        }

        void remove() {
            server.removeSessionListener(this);
            if (server.getPublickeyAuthenticator() == this) {
                server.setPublickeyAuthenticator(publickey);
            }
            if (server.getPasswordAuthenticator() == this) {
                server.setPasswordAuthenticator(password);
            }
        }

        @Override
        public boolean authenticate(String username, PublicKey key, ServerSession session) {
            return publickey.authenticate(username, key, session) || refused(username, "publickey", session);
        }

        @Override
        public boolean authenticate(String username, String secret, ServerSession session) throws AsyncAuthException {
            return password.authenticate(username, secret, session) || refused(username, "password", session);
        }

        /** Counts the failure; answers it now, or when the address's back-off ends. Always "refused". */
        private boolean refused(String username, String method, ServerSession session) {
            String address = addressOf(session);
            LoginThrottle.Failure failure = throttle.failed(address, now());
            if (failure.delayMillis() == 0) {
                return false;
            }
            AUDIT.log(System.Logger.Level.INFO, "ssh-throttle from=" + address + " user=" + token(username) + " method="
                    + method + " failures=" + failure.failures() + " result=delayed delay-ms=" + failure.delayMillis());
            if (answers.getQueue().size() >= MAX_PENDING_ANSWERS) {
                return false;
            }
            AsyncAuthException answer = new AsyncAuthException();
            answers.schedule(() -> {
                if (session.isOpen()) {
                    answer.setAuthed(false);
                }
            }, failure.delayMillis(), TimeUnit.MILLISECONDS);
            throw answer;
        }

        @Override
        public void sessionCreated(Session session) {
            String address = addressOf(session);
            LoginThrottle.Admission admission = throttle.admit(address, now());
            if (!admission.refused()) {
                return;
            }
            if (admission.firstRefusalOfBackOff()) {
                AUDIT.log(System.Logger.Level.INFO, "ssh-throttle from=" + address + " failures=" + admission.failures()
                        + " result=refused retry-in-ms=" + admission.retryInMillis()
                        + " refused-connections=" + admission.refusedSoFar());
            }
            // SSHD closes a connection whose "created" event fails, before it sends or reads anything.
            throw new RuntimeSshException("connections from " + address + " refused for " + admission.retryInMillis()
                    + " ms after " + admission.failures() + " failed logins");
        }

        @Override
        public void sessionEvent(Session session, Event event) {
            if (event == Event.Authenticated) {
                throttle.succeeded(addressOf(session));
            }
        }
    }

    private static String token(String value) {
        return value == null || value.isEmpty() ? "-" : value.replaceAll("[\\s\"]", "_");
    }
}
