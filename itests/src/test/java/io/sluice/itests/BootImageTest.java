package io.sluice.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.vmOption;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.inject.Inject;
import javax.security.auth.Subject;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Boots the built image (the tar.gz, not a hand-made Karaf) and checks it from inside: every Sluice bundle is
 * active, every Sluice DS component is satisfied, and a Sluice console command runs.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BootImageTest {

    /** The bundles the image must start; others that come later are checked by the prefix rule below. */
    private static final Set<String> EXPECTED_BUNDLES =
            Set.of("io.sluice.sluice-native", "io.sluice.sluice-packet", "io.sluice.sluice-graph", "io.sluice.sluice-shell");

    /** Registered once every boot feature is installed and started: the tests start after the whole boot. */
    @Inject
    private BootFinished bootFinished;

    @Inject
    private BundleContext context;

    @Inject
    private ServiceComponentRuntime componentRuntime;

    @Inject
    private SessionFactory sessionFactory;

    @Configuration
    public Option[] configuration() {
        String distribution = System.getProperty("sluice.distribution");
        String workDirectory = System.getProperty("sluice.workdir");
        return new Option[] {
            karafDistributionConfiguration()
                    .frameworkUrl(new File(distribution).toURI().toString())
                    .name("Sluice")
                    .unpackDirectory(new File(workDirectory, "pax-exam"))
                    .useDeployFolder(false),
            configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
            logLevel(LogLevel.WARN),
            // Away from the port of a box the developer may be running.
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", "18103"),
            // What bin/karaf and bin/setenv pass on JDK 25 (Pax Exam starts java itself).
            vmOption("--add-reads=java.xml=java.logging"),
            vmOption("--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED"),
            vmOption("--patch-module"),
            vmOption("java.base=lib/endorsed/org.apache.karaf.specs.locator-4.4.10.jar"),
            vmOption("--patch-module"),
            vmOption("java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-4.4.10.jar"),
            vmOption("--add-opens=java.base/java.security=ALL-UNNAMED"),
            vmOption("--add-opens=java.base/java.net=ALL-UNNAMED"),
            vmOption("--add-opens=java.base/java.lang=ALL-UNNAMED"),
            vmOption("--add-opens=java.base/java.util=ALL-UNNAMED"),
            vmOption("--add-opens=java.naming/javax.naming.spi=ALL-UNNAMED"),
            vmOption("--add-opens=java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED"),
            vmOption("-classpath"),
            vmOption("lib/jdk9plus/*:lib/boot/*"),
            vmOption("--enable-native-access=ALL-UNNAMED"),
            vmOption("-javaagent:" + System.getProperty("sluice.agent")),
        };
    }

    @Test
    public void everySluiceBundleIsActive() {
        Set<String> found = new TreeSet<>();
        List<String> notActive = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            String name = bundle.getSymbolicName();
            if (name != null && name.startsWith("io.sluice.")) {
                found.add(name);
                if (bundle.getState() != Bundle.ACTIVE) {
                    notActive.add(name + " is " + stateName(bundle.getState()));
                }
            }
        }
        assertTrue("image lacks " + EXPECTED_BUNDLES + ", has " + found, found.containsAll(EXPECTED_BUNDLES));
        assertEquals(List.of(), notActive);
    }

    /** The dataplane stays free of Karaf: only the shell bundle may import org.apache.karaf packages. */
    @Test
    public void onlyTheShellBundleImportsKaraf() {
        List<String> offenders = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            String name = bundle.getSymbolicName();
            String imports = bundle.getHeaders().get("Import-Package");
            if (name != null && name.startsWith("io.sluice.") && !name.equals("io.sluice.sluice-shell")
                    && imports != null && imports.contains("org.apache.karaf")) {
                offenders.add(name);
            }
        }
        assertEquals(List.of(), offenders);
    }

    @Test
    public void everySluiceComponentIsSatisfied() {
        List<String> unsatisfied = new ArrayList<>();
        int sluiceComponents = 0;
        for (ComponentDescriptionDTO description : componentRuntime.getComponentDescriptionDTOs()) {
            if (!description.bundle.symbolicName.startsWith("io.sluice.")) {
                continue;
            }
            sluiceComponents++;
            if (!componentRuntime.isComponentEnabled(description)) {
                unsatisfied.add(description.name + " is disabled");
                continue;
            }
            var configurations = componentRuntime.getComponentConfigurationDTOs(description);
            if (configurations.isEmpty() && !"require".equals(description.configurationPolicy)) {
                unsatisfied.add(description.name + " has no configuration");
            }
            for (ComponentConfigurationDTO configuration : configurations) {
                if (configuration.state != ComponentConfigurationDTO.SATISFIED
                        && configuration.state != ComponentConfigurationDTO.ACTIVE) {
                    List<String> missing = new ArrayList<>();
                    for (var reference : configuration.unsatisfiedReferences) {
                        missing.add(reference.name);
                    }
                    unsatisfied.add(description.name + " is in state " + configuration.state
                            + ", unsatisfied references " + missing);
                }
            }
        }
        assertTrue("no Sluice DS component found", sluiceComponents > 0);
        assertEquals(List.of(), unsatisfied);
    }

    @Test
    public void nodeListRunsInTheConsole() throws Exception {
        String output = runAsAdmin("node:list --no-format");
        assertTrue("node:list lists the built-in error-drop node:\n" + output, output.contains("error-drop"));
    }

    @Test
    public void unknownCommandFails() {
        assertFalse(runsWithoutError("node:no-such-command"));
    }

    /** Runs a console command as an admin would (the command ACLs check the caller's roles). */
    private String runAsAdmin(String command) throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        PrintStream printer = new PrintStream(output, true, StandardCharsets.UTF_8);
        Subject admin = new Subject();
        admin.getPrincipals().add(new UserPrincipal("admin"));
        admin.getPrincipals().add(new RolePrincipal("admin"));
        admin.getPrincipals().add(new RolePrincipal("viewer"));
        @SuppressWarnings("removal")
        Object ignored = Subject.doAs(admin, (PrivilegedExceptionAction<Object>) () -> {
            try (Session session = sessionFactory.create(new ByteArrayInputStream(new byte[0]), printer, printer)) {
                return session.execute(command);
            }
        });
        return output.toString(StandardCharsets.UTF_8);
    }

    private boolean runsWithoutError(String command) {
        try {
            runAsAdmin(command);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static String stateName(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            default -> Integer.toString(state);
        };
    }
}
