package io.sluice.subjectbridge;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.subjectbridge.fixture.KarafStyleCaller;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import javax.security.auth.Subject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SubjectBridgeAgentTest {

    private static final String CALLER = KarafStyleCaller.class.getName();

    private final Subject admin = new Subject();
    private Class<?> rewrittenCaller;

    @BeforeEach
    void rewriteCaller() throws IOException {
        byte[] rewritten = SubjectBridgeAgent.rewrite(classBytes(KarafStyleCaller.class), getClass().getClassLoader());
        assertNotNull(rewritten, "the caller has Subject call sites to redirect");
        rewrittenCaller = new SingleClassLoader(CALLER, rewritten).defineCaller();
    }

    @Test
    void unmodifiedGetSubjectThrowsOnThisJdk() {
        assertThrows(UnsupportedOperationException.class, KarafStyleCaller::currentSubject);
    }

    @Test
    void rewrittenGetSubjectSeesTheSubjectOfDoAs() throws Exception {
        assertSame(admin, call("currentSubjectInsideDoAs", admin));
    }

    @Test
    void rewrittenJaasHelperDoAsBindsTheSubject() throws Exception {
        assertSame(admin, call("currentSubjectInsideJaasHelperDoAs", admin));
    }

    @Test
    void threadStartedInsideDoAsInheritsTheSubject() throws Exception {
        assertSame(admin, call("currentSubjectOfThreadStartedInsideDoAs", admin));
    }

    @Test
    void noSubjectOutsideDoAsAndTheBindingIsUndoneAfterwards() throws Exception {
        assertNull(call("currentSubject"));
        call("currentSubjectInsideDoAs", admin);
        assertNull(call("currentSubject"));
    }

    @Test
    void classWithoutSubjectCallsIsLeftUnchanged() throws IOException {
        assertNull(SubjectBridgeAgent.rewrite(classBytes(SingleClassLoader.class), getClass().getClassLoader()));
    }

    @Test
    void transformerSkipsPlatformAndBootstrapClasses() throws IOException {
        byte[] caller = classBytes(KarafStyleCaller.class);
        SubjectBridgeAgent agent = new SubjectBridgeAgent();
        ClassLoader application = getClass().getClassLoader();
        assertNull(agent.transform(null, "org/example/Caller", null, null, caller));
        assertNull(agent.transform(application, "javax/security/auth/Caller", null, null, caller));
        assertNotNull(agent.transform(application, "org/example/Caller", null, null, caller));
    }

    private Object call(String method, Object... arguments) throws Exception {
        Class<?>[] types = new Class<?>[arguments.length];
        Arrays.fill(types, Subject.class);
        Method target = rewrittenCaller.getMethod(method, types);
        try {
            return target.invoke(null, arguments);
        } catch (InvocationTargetException e) {
            throw (Exception) e.getCause();
        }
    }

    private static byte[] classBytes(Class<?> type) throws IOException {
        String resource = "/" + type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getResourceAsStream(resource)) {
            return in.readAllBytes();
        }
    }

    /** Defines one class from given bytes and delegates everything else to the test's class loader. */
    static final class SingleClassLoader extends ClassLoader {
        private final String name;
        private final byte[] bytes;

        SingleClassLoader(String name, byte[] bytes) {
            super(SubjectBridgeAgentTest.class.getClassLoader());
            this.name = name;
            this.bytes = bytes;
        }

        Class<?> defineCaller() {
            return defineClass(name, bytes, 0, bytes.length);
        }
    }
}
