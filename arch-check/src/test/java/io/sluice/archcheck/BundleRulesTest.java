package io.sluice.archcheck;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The bundle rules of docs/architecture.md, checked on the built bundles (their manifests, Service-Component
 * descriptors and class files) and on the benchmark sources:
 * <ul>
 *   <li>an exported package holds no DS component and no class that refers to a private package;</li>
 *   <li>no bundle imports (Import-Package) a package another bundle keeps private;</li>
 *   <li>no source of a bundle or of bench/ imports a package another bundle keeps private.</li>
 * </ul>
 * A private package is every package of a bundle that its Export-Package does not name, but for the shared
 * {@code io.sluice.common} packages that every bundle using them holds its own copy of (and none exports).
 */
class BundleRulesTest {

    /**
     * Known violations waiting to be mended, by the start of their message (none today). Each must still match a
     * violation: a mended one fails the test until its entry goes, so the list never outlives its reason.
     */
    private static final List<String> PENDING = List.of();

    /** bundles/common: one source, copied privately into each bundle that uses it (bnd -conditionalpackage). */
    private static final String SHARED_PREFIX = "io.sluice.common";

    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?(io\\.sluice\\.[\\w.]+)\\s*;",
            Pattern.MULTILINE);

    /** A built bundle: its symbolic name, its exports, its other packages, its DS implementation classes. */
    record Bundle(String name, Path location, Set<String> exported, Set<String> privatePackages,
                  Set<String> imported, List<String> components) {
    }

    private static final Map<String, Bundle> BUNDLES = new TreeMap<>();
    /** Private package -> the bundle that holds it. */
    private static final Map<String, String> PRIVATE_OWNER = new TreeMap<>();
    private static final Set<String> PENDING_SEEN = new java.util.HashSet<>();
    private static Path root;

    @BeforeAll
    static void readBundles() throws IOException {
        root = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath().normalize();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry);
            if (!Files.exists(path) || !path.getFileName().toString().startsWith("sluice-") && !isModuleClasses(path)) {
                continue;
            }
            Bundle bundle = Bundles.read(path);
            if (bundle != null) {
                BUNDLES.put(bundle.name(), bundle);
                for (String p : bundle.privatePackages()) {
                    if (!p.startsWith(SHARED_PREFIX)) {
                        PRIVATE_OWNER.put(p, bundle.name());
                    }
                }
            }
        }
        assertFalse(BUNDLES.size() < 14, "found only " + BUNDLES.keySet() + " on the class path: build the bundles first");
    }

    private static boolean isModuleClasses(Path path) {
        return path.endsWith(Path.of("target", "classes"));
    }

    @Test
    void exportedPackagesHoldNoComponent() {
        List<String> violations = new ArrayList<>();
        for (Bundle b : BUNDLES.values()) {
            for (String implementation : b.components()) {
                if (b.exported().contains(packageOf(implementation))) {
                    violations.add(b.name() + ": DS component " + implementation + " is in an exported package");
                }
            }
        }
        check(violations);
    }

    @Test
    void exportedClassesReachNoPrivatePackage() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Bundle b : BUNDLES.values()) {
            for (Map.Entry<String, byte[]> c : Bundles.classes(b.location(), b.exported()).entrySet()) {
                ClassModel model = ClassFile.of().parse(c.getValue());
                for (PoolEntry e : model.constantPool()) {
                    if (e instanceof ClassEntry ce) {
                        String referenced = ce.asInternalName().replace('/', '.');
                        String pkg = packageOf(referenced.replaceFirst("^\\[+L?", ""));
                        if (PRIVATE_OWNER.containsKey(pkg) || pkg.startsWith(SHARED_PREFIX)) {
                            violations.add(b.name() + ": exported " + c.getKey() + " refers to private " + referenced);
                        }
                    }
                }
            }
        }
        check(violations);
    }

    @Test
    void noBundleImportsAnotherBundlesPrivatePackage() {
        List<String> violations = new ArrayList<>();
        for (Bundle b : BUNDLES.values()) {
            for (String imported : b.imported()) {
                String owner = PRIVATE_OWNER.get(imported);
                if (owner != null && !owner.equals(b.name())) {
                    violations.add(b.name() + " imports " + imported + ", private to " + owner);
                }
            }
        }
        check(violations);
    }

    @Test
    void noSourceImportsAnotherBundlesPrivatePackage() throws IOException {
        List<String> violations = new ArrayList<>();
        List<Path> trees = new ArrayList<>();
        trees.add(root.resolve("bench/src/main/java"));
        try (Stream<Path> modules = Files.list(root.resolve("bundles"))) {
            modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).forEach(trees::add);
        }
        for (Path tree : trees) {
            List<Path> sources;
            try (Stream<Path> files = Files.walk(tree)) {
                sources = files.filter(f -> f.toString().endsWith(".java")).toList();
            }
            for (Path source : sources) {
                String relative = root.relativize(source).toString().replace('\\', '/');
                String ownPackage = ownPackage(Files.readString(source));
                String self = PRIVATE_OWNER.getOrDefault(ownPackage, ownerOfExport(ownPackage));
                Matcher m = IMPORT.matcher(Files.readString(source));
                while (m.find()) {
                    String pkg = importedPackage(m.group(1));
                    String owner = PRIVATE_OWNER.get(pkg);
                    if (owner != null && !owner.equals(self)) {
                        violations.add(relative + " imports " + m.group(1) + ", private to " + owner);
                    }
                }
            }
        }
        check(violations);
    }

    /** Fails on a violation that no {@link #PENDING} entry names. */
    private static void check(List<String> violations) {
        List<String> unexpected = violations.stream()
                .filter(v -> PENDING.stream().noneMatch(v::startsWith)).toList();
        violations.forEach(v -> PENDING.stream().filter(v::startsWith).forEach(PENDING_SEEN::add));
        assertEquals(List.of(), unexpected);
    }

    @AfterAll
    static void everyPendingEntryStillApplies() {
        List<String> stale = PENDING.stream().filter(p -> !PENDING_SEEN.contains(p)).toList();
        assertEquals(List.of(), stale, "mended: remove these PENDING entries");
    }

    private static String ownerOfExport(String pkg) {
        for (Bundle b : BUNDLES.values()) {
            if (b.exported().contains(pkg)) {
                return b.name();
            }
        }
        return null;
    }

    private static String ownPackage(String source) {
        Matcher m = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE).matcher(source);
        return m.find() ? m.group(1) : "";
    }

    /** The package of an imported name: the longest prefix that a bundle holds (a nested class's outer class). */
    private static String importedPackage(String name) {
        String candidate = name;
        while (candidate.contains(".")) {
            candidate = candidate.substring(0, candidate.lastIndexOf('.'));
            if (PRIVATE_OWNER.containsKey(candidate) || ownerOfExport(candidate) != null) {
                return candidate;
            }
        }
        return packageOf(name);
    }

    static String packageOf(String className) {
        int dot = className.lastIndexOf('.');
        return dot < 0 ? "" : className.substring(0, dot);
    }

    /** Reading a bundle from its jar or (in a reactor build before packaging) its module's target/. */
    static final class Bundles {
        private Bundles() {
        }

        static Bundle read(Path location) throws IOException {
            Path jar = location;
            if (Files.isDirectory(location)) {
                jar = builtJar(location.getParent());
                if (jar == null) {
                    return null;
                }
            }
            try (var fs = java.nio.file.FileSystems.newFileSystem(jar)) {
                Path manifestPath = fs.getPath("META-INF/MANIFEST.MF");
                if (!Files.exists(manifestPath)) {
                    return null;
                }
                Manifest manifest;
                try (InputStream in = Files.newInputStream(manifestPath)) {
                    manifest = new Manifest(in);
                }
                String name = manifest.getMainAttributes().getValue("Bundle-SymbolicName");
                if (name == null || !name.startsWith("io.sluice.")) {
                    return null;
                }
                Set<String> exported = Headers.packages(manifest.getMainAttributes().getValue("Export-Package"));
                Set<String> imported = Headers.packages(manifest.getMainAttributes().getValue("Import-Package"));
                Set<String> all = new java.util.TreeSet<>();
                try (Stream<Path> files = Files.walk(fs.getPath("/"))) {
                    files.map(Path::toString).filter(f -> f.endsWith(".class"))
                            .map(f -> f.substring(1, f.lastIndexOf('/')).replace('/', '.'))
                            .filter(p -> p.startsWith("io.sluice.")).forEach(all::add);
                }
                all.removeAll(exported);
                List<String> components = new ArrayList<>();
                String serviceComponents = manifest.getMainAttributes().getValue("Service-Component");
                if (serviceComponents != null) {
                    for (String xml : serviceComponents.split(",")) {
                        String text = Files.readString(fs.getPath(xml.trim()));
                        Matcher m = Pattern.compile("<implementation class=\"([^\"]+)\"").matcher(text);
                        while (m.find()) {
                            components.add(m.group(1));
                        }
                    }
                }
                return new Bundle(name, jar, exported, all, imported, components);
            }
        }

        private static Path builtJar(Path target) throws IOException {
            try (Stream<Path> files = Files.list(target)) {
                return files.filter(f -> f.getFileName().toString().matches("sluice-.*-SNAPSHOT\\.jar"))
                        .findFirst().orElse(null);
            }
        }

        /** The class files of {@code packages} in a bundle jar, by class name. */
        static Map<String, byte[]> classes(Path jar, Set<String> packages) throws IOException {
            Map<String, byte[]> result = new TreeMap<>();
            try (var fs = java.nio.file.FileSystems.newFileSystem(jar)) {
                for (String pkg : packages) {
                    Path dir = fs.getPath("/" + pkg.replace('.', '/'));
                    if (!Files.isDirectory(dir)) {
                        continue;
                    }
                    try (Stream<Path> files = Files.list(dir)) {
                        for (Path f : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                            String simple = f.getFileName().toString().replace(".class", "");
                            result.put(pkg + "." + simple, Files.readAllBytes(f));
                        }
                    }
                }
            }
            return result;
        }
    }

    /** OSGi manifest headers: a comma-separated clause list whose commas inside quotes do not separate. */
    static final class Headers {
        private Headers() {
        }

        static Set<String> packages(String header) {
            Set<String> result = new java.util.TreeSet<>();
            if (header == null) {
                return result;
            }
            boolean quoted = false;
            int start = 0;
            for (int i = 0; i <= header.length(); i++) {
                char c = i < header.length() ? header.charAt(i) : ',';
                if (c == '"') {
                    quoted = !quoted;
                } else if (c == ',' && !quoted) {
                    String clause = header.substring(start, i);
                    result.add(clause.split(";", 2)[0].trim());
                    start = i + 1;
                }
            }
            return result;
        }
    }
}
