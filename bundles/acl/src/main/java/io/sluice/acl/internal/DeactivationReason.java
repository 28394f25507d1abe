package io.sluice.acl.internal;

/**
 * Why Declarative Services deactivates a component, as the {@code int} its deactivate method receives (OSGi
 * Compendium 8, 112.5.16, org.osgi.service.component.ComponentConstants): only the annotations are on this
 * bundle's class path, so the one value the configuration components act on is named here.
 */
final class DeactivationReason {
    /** The component's configuration was deleted (its .cfg file removed): what it put in force is withdrawn. */
    static final int CONFIGURATION_DELETED = 4;

    private DeactivationReason() {
    }
}
