package io.sluice.nat44.internal;

import io.sluice.nat44.api.Nat44ConfigCheck;
import org.osgi.service.component.annotations.Component;

import java.util.Map;

/** {@link Nat44Settings#parse}, run without applying. */
@Component(service = Nat44ConfigCheck.class)
public final class Nat44ConfigCheckImpl implements Nat44ConfigCheck {

    @Override
    public void check(Map<String, ?> properties) {
        Nat44Settings.parse(properties);
    }
}
