package io.sluice.vnet.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The refusals of a driver's port configuration, for its config test: the message of the
 * {@link IllegalArgumentException} its {@code from} throws, for whole properties or for the test's minimal
 * configuration with one key set.
 */
public final class PortConfigRefusals {

    private final Function<Map<String, Object>, ?> parse;
    private final Supplier<Map<String, Object>> minimal;

    public PortConfigRefusals(Function<Map<String, Object>, ?> parse, Supplier<Map<String, Object>> minimal) {
        this.parse = parse;
        this.minimal = minimal;
    }

    /** Why {@code properties} are refused. */
    public String of(Map<String, Object> properties) {
        return assertThrows(IllegalArgumentException.class, () -> parse.apply(properties)).getMessage();
    }

    /** Why the minimal configuration with {@code key} set to {@code value} is refused. */
    public String with(String key, Object value) {
        Map<String, Object> properties = minimal.get();
        properties.put(key, value);
        return of(properties);
    }
}
