package io.sluice.shell.ip4;

import io.sluice.ip4.api.Ip4ConfigCheck;
import io.sluice.packet.api.Ip4Prefix;
import io.sluice.shell.config.ConsoleConfig;

import java.util.ArrayList;
import java.util.List;

/** The interface configurations as {@code interface:set} finds them: by the interface's name. */
final class StoredInterfaces {
    private StoredInterfaces() {
    }

    static ConsoleConfig.Stored find(ConsoleConfig config, String interfaceName) {
        for (ConsoleConfig.Stored stored : config.factory(Ip4ConfigCheck.INTERFACE_PID)) {
            if (interfaceName.equals(stored.value("name"))) {
                return stored;
            }
        }
        return null;
    }

    /** The comma-separated {@code address} key as a list one may change. */
    static List<String> addresses(String value) {
        List<String> list = new ArrayList<>();
        if (value != null) {
            for (String part : value.split(",")) {
                if (!part.isBlank()) {
                    list.add(part.trim());
                }
            }
        }
        return list;
    }

    static boolean holds(List<String> list, String address) {
        for (String held : list) {
            if (same(held, address)) {
                return true;
            }
        }
        return false;
    }

    /** Two address texts naming the same address and length ("10.0.0.1/24" and " 10.0.0.1/24"). */
    static boolean same(String a, String b) {
        try {
            return Ip4Prefix.parse(a.trim()).equals(Ip4Prefix.parse(b.trim()));
        } catch (IllegalArgumentException e) {
            return a.trim().equals(b.trim());
        }
    }
}
