package io.sluice.subjectbridge;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ClassDesc;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;

/**
 * A {@code -javaagent} that redirects Karaf's {@code Subject.getSubject}, {@code Subject.doAs} and
 * {@code JaasHelper.doAs} call sites to {@link SubjectBridge}, so that the shell, SSH sessions and role checks
 * of Karaf 4.4 work on JDK 24+. See docs/jdk25-subject-bridge.md for why and until when.
 */
public final class SubjectBridgeAgent implements ClassFileTransformer {

    private static final String SUBJECT = "javax/security/auth/Subject";
    private static final String JAAS_HELPER = "org/apache/karaf/util/jaas/JaasHelper";
    private static final ClassDesc BRIDGE = ClassDesc.of(SubjectBridge.class.getName());
    private static final byte[] GET_SUBJECT = "getSubject".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DO_AS = "doAs".getBytes(StandardCharsets.US_ASCII);

    public static void premain(String arguments, Instrumentation instrumentation) {
        instrumentation.addTransformer(new SubjectBridgeAgent());
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] classBytes) {
        if (loader == null || className == null || isPlatformClass(className)
                || !(contains(classBytes, GET_SUBJECT) || contains(classBytes, DO_AS))) {
            return null;
        }
        try {
            return rewrite(classBytes, loader);
        } catch (RuntimeException e) {
            // The JVM discards a transformer's exception silently; say which class kept the JDK 24+ failure.
            System.err.println("subject-bridge: left " + className + " unchanged: " + e);
            return null;
        }
    }

    /**
     * Returns the class with every bridged call site redirected to {@link SubjectBridge}, or {@code null}
     * (the transformer's "unchanged") when the class has none. {@code loader} is the class's defining loader.
     */
    public static byte[] rewrite(byte[] classBytes, ClassLoader loader) {
        // Rewritten methods get new stack maps, which need the supertypes of the types they mention: read
        // them as the defining loader (a bundle's) sees them; the default resolver knows only the JDK.
        ClassFile classFile = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofResourceParsing(loader))));
        ClassModel model = classFile.parse(classBytes);
        if (!hasBridgedCall(model)) {
            return null;
        }
        return classFile.transformClass(model, ClassTransform.transformingMethodBodies(SubjectBridgeAgent::redirect));
    }

    private static boolean hasBridgedCall(ClassModel model) {
        for (MethodModel method : model.methods()) {
            CodeModel code = method.code().orElse(null);
            if (code != null) {
                for (CodeElement element : code) {
                    if (element instanceof InvokeInstruction call && isBridged(call)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static void redirect(CodeBuilder builder, CodeElement element) {
        if (element instanceof InvokeInstruction call && isBridged(call)) {
            builder.invokestatic(BRIDGE, call.name().stringValue(), call.typeSymbol());
        } else {
            builder.with(element);
        }
    }

    private static boolean isBridged(InvokeInstruction call) {
        if (call.opcode() != Opcode.INVOKESTATIC) {
            return false;
        }
        String owner = call.owner().asInternalName();
        String name = call.name().stringValue();
        String type = call.type().stringValue();
        if (SUBJECT.equals(owner)) {
            return "getSubject".equals(name) && type.equals("(Ljava/security/AccessControlContext;)Ljavax/security/auth/Subject;")
                    || "doAs".equals(name) && isDoAsWithoutContext(type);
        }
        return JAAS_HELPER.equals(owner) && "doAs".equals(name) && isDoAsWithoutContext(type);
    }

    /** doAs(Subject, PrivilegedAction) or doAs(Subject, PrivilegedExceptionAction), returning Object. */
    private static boolean isDoAsWithoutContext(String type) {
        return type.equals("(Ljavax/security/auth/Subject;Ljava/security/PrivilegedAction;)Ljava/lang/Object;")
                || type.equals("(Ljavax/security/auth/Subject;Ljava/security/PrivilegedExceptionAction;)Ljava/lang/Object;");
    }

    private static boolean isPlatformClass(String className) {
        return className.startsWith("java/") || className.startsWith("javax/") || className.startsWith("jdk/")
                || className.startsWith("sun/") || className.startsWith("com/sun/")
                || className.startsWith("io/sluice/subjectbridge/");
    }

    /** A byte search over the raw class file: the constant pool holds every called method's name in UTF-8. */
    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int start = 0, last = haystack.length - needle.length; start <= last; start++) {
            for (int i = 0; i < needle.length; i++) {
                if (haystack[start + i] != needle[i]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
