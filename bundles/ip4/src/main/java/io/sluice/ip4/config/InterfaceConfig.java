package io.sluice.ip4.config;

import io.sluice.ethernet.api.ArpProxy;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.ip4.api.Ip4Fib;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.InterfaceTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One interface's L3 settings, factory PID {@value #PID} (files {@code etc/io.sluice.interface-<name>.cfg}):
 * addresses, MTU, MAC, admin state, proxy ARP, FIB table and the source check (uRPF). Keys are documented in
 * docs/configuration.md.
 */
@Component(service = {}, immediate = true, configurationPid = InterfaceConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class InterfaceConfig extends InterfaceBoundConfig<InterfaceConfig.Settings> {

    public static final String PID = "io.sluice.interface";

    /**
     * The largest MTU a packet buffer carries: a received frame is the IP packet plus 14 bytes of Ethernet header
     * and 4 of one VLAN tag (what the drivers admit), and it must fit one buffer's data area, since frames are not
     * chained across buffers. 2030 with the 2 KiB buffers.
     */
    static final int MAX_MTU = BufferPool.DATA_SIZE - 14 - 4;
    static final int MIN_MTU = 68;

    record Settings(String name, List<int[]> addresses, int mtu, long mac, boolean up, boolean proxyArp, int table,
                    String sourceCheck) {
    }

    private final Ip4Fib fib;
    private final ArpProxy proxy;
    private final SourceCheckFeature sourceCheck;

    @Activate
    public InterfaceConfig(@Reference InterfaceTable interfaces, @Reference Ip4Fib fib, @Reference ArpProxy proxy,
                           @Reference GraphRuntime graph, Map<String, Object> properties) {
        super(interfaces, PID);
        this.fib = fib;
        this.proxy = proxy;
        this.sourceCheck = new SourceCheckFeature(graph, this::reapplySourceCheck);
        interfaces.addListener(this);
        configure(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        configure(properties);
    }

    @Deactivate
    void deactivate() {
        interfaces.removeListener(this);
        remove();
    }

    @Override
    Settings parse(ConfigValues values) {
        return read(values);
    }

    /** The settings {@code values} give, checked in full (also what {@link Ip4ConfigCheckImpl} runs). */
    static Settings read(ConfigValues values) {
        String name = values.string("name");
        List<int[]> addresses = values.prefixes("address", false);
        int mtu = mtu(values);
        long mac = values.has("mac") ? values.mac("mac") : -1;
        boolean up = values.choice("admin", "up", "up", "down").equals("up");
        boolean proxyArp = values.bool("proxy-arp", false);
        int table = values.integer("table", 0, Ip4Fib.MAX_TABLES - 1, 0);
        // Strict and loose uRPF (RFC 3704 sections 2.2 and 2.4), or none; absent is off, as before the key existed.
        String sourceCheck = values.choice("source-check", SourceCheckFeature.OFF, SourceCheckFeature.STRICT,
                SourceCheckFeature.LOOSE, SourceCheckFeature.OFF);
        return new Settings(name, addresses, mtu, mac, up, proxyArp, table, sourceCheck);
    }

    /** 0 when absent (the driver's MTU stays). */
    private static int mtu(ConfigValues values) {
        if (!values.has("mtu")) {
            return 0;
        }
        int mtu = values.integer("mtu", Integer.MIN_VALUE, Integer.MAX_VALUE, 0);
        if (mtu < MIN_MTU) {
            throw values.refuse("mtu", mtu, "is outside " + MIN_MTU + ".." + MAX_MTU + " (68: every IPv4 link carries"
                    + " that much, RFC 791)");
        }
        if (mtu > MAX_MTU) {
            throw values.refuse("mtu", mtu, "is larger than a packet buffer can carry: a frame of MTU + 18 bytes (Ethernet"
                    + " header and a VLAN tag) must fit the " + BufferPool.DATA_SIZE + " data bytes of one buffer"
                    + " (BufferPool.DATA_SIZE); at most " + MAX_MTU);
        }
        return mtu;
    }

    @Override
    String forwardingInterface(Settings settings) {
        return settings.up() ? settings.name() : null;
    }

    @Override
    String[] interfaceNames(Settings settings) {
        return new String[] {settings.name()};
    }

    @Override
    void apply(Settings previous, Settings settings) {
        int sw = interfaces.find(settings.name());
        if (previous != null && !previous.name().equals(settings.name())) {
            withdraw(previous);
            previous = null;
        }
        if (settings.mac() >= 0) {
            interfaces.setMac(sw, settings.mac());
        }
        if (settings.mtu() > 0) {
            interfaces.setMtu(sw, settings.mtu());
        }
        if (fib.tableOf(sw) != settings.table()) {
            fib.setInterfaceTable(sw, settings.table());
        }
        List<int[]> old = previous == null ? List.of() : previous.addresses();
        for (int[] address : old) {
            if (!contains(settings.addresses(), address)) {
                interfaces.removeIp4Address(sw, address[0], address[1]);
            }
        }
        for (int[] address : settings.addresses()) {
            if (!contains(old, address)) {
                interfaces.addIp4Address(sw, address[0], address[1]);
            }
        }
        proxy.setEnabled(sw, settings.proxyArp());
        sourceCheck.apply(sw, settings.sourceCheck());
        interfaces.setAdminUp(sw, settings.up());
    }

    private synchronized void reapplySourceCheck() {
        Settings settings = applied();
        int sw = settings == null ? -1 : interfaces.find(settings.name());
        if (sw >= 0) {
            sourceCheck.apply(sw, settings.sourceCheck());
        }
    }

    @Override
    void withdraw(Settings settings) {
        int sw = interfaces.find(settings.name());
        if (sw < 0) {
            return;
        }
        interfaces.setAdminUp(sw, false);
        proxy.setEnabled(sw, false);
        sourceCheck.withdraw(sw);
        for (int[] address : new ArrayList<>(settings.addresses())) {
            interfaces.removeIp4Address(sw, address[0], address[1]);
        }
    }

    private static boolean contains(List<int[]> list, int[] address) {
        for (int[] a : list) {
            if (a[0] == address[0] && a[1] == address[1]) {
                return true;
            }
        }
        return false;
    }
}
