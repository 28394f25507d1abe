package io.sluice.driver.tap.internal;

import io.sluice.driver.tap.api.PodSide;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ip4Prefix;
import io.sluice.packet.api.PacketFormat;
import io.sluice.packet.api.PortBlocks;
import io.sluice.vnet.api.PortConfig;
import io.sluice.vnet.api.PortProperties;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The configuration of one pod port, factory PID {@value #FACTORY_PID} (one {@code .cfg} per port, e.g.
 * {@code io.sluice.driver.tap-pod1.cfg}). Every value is checked before anything is created; a bad value is
 * refused with the PID, the key and the reason, and nothing already forwarding is touched.
 *
 * @param pid        the configuration's PID, quoted in messages
 * @param name       interface name, e.g. tap2
 * @param tapName    the TAP's kernel name while it is in the box's namespace (before it moves into the pod
 *                   and takes the pod's name there); tap2 by default, as the interface
 * @param mac        the box-side MAC (48 bits): what the pod's gateway resolves to, the rewrite source
 * @param mtu        interface MTU
 * @param adminUp    admin state given to the interface when it is first registered
 * @param checksumOffload TUNSETOFFLOAD(TUN_F_CSUM): the pod may send partial TCP/UDP checksums
 * @param pod        the kernel side inside the pod, or null to leave it in the box's namespace
 */
public record TapPortConfig(String pid, String name, String tapName, long mac, int mtu, boolean adminUp,
                            boolean checksumOffload, PodSide pod) implements PortConfig {

    public static final String FACTORY_PID = "io.sluice.driver.tap";

    /**
     * A pod's port is polled by the worker that owns the pod's NAT44 flows (its first address's,
     * {@link PortBlocks#insideOwner}), so that its packets are not handed off to that worker on their way out; a port
     * with no pod address is left to the default placement.
     */
    @Override
    public int[] rxPlacement(int workers) {
        if (workers <= 1 || pod == null || pod.addresses().isEmpty()) {
            return null;
        }
        return new int[] {PortBlocks.insideOwner(Ip4Prefix.parse(pod.addresses().get(0)).address(), workers)};
    }

    static final String TAP_NAME = "tap.name";
    static final String MTU = "mtu";
    static final String CHECKSUM_OFFLOAD = "checksum.offload";
    static final String POD_NAMESPACE = "pod.namespace";
    static final String POD_IFNAME = "pod.ifname";
    static final String POD_MAC = "pod.mac";
    static final String POD_MTU = "pod.mtu";
    static final String POD_ADDRESSES = "pod.addresses";
    static final String POD_ROUTES = "pod.routes";

    private static final int IFNAMSIZ = 16;

    /**
     * The largest MTU one packet buffer carries: a frame is the packet plus 14 bytes of Ethernet header and 4 of a
     * VLAN tag, and it is read whole into one buffer's data area (frames are not chained). 2030 with 2 KiB buffers;
     * a larger MTU would let the pod send frames the port can only cut or drop.
     */
    static final int MAX_MTU = BufferPool.DATA_SIZE - 14 - 4;

    /** Reads and checks {@code properties}; throws {@link IllegalArgumentException} naming PID, key and why. */
    public static TapPortConfig from(Map<String, ?> properties) {
        PortProperties config = new PortProperties(properties, FACTORY_PID);
        String name = interfaceName(config, NAME, config.required(NAME));
        String tapName = interfaceName(config, TAP_NAME, config.valueOr(TAP_NAME, name));
        String macText = config.optional(MAC);
        long mac = macText != null ? config.unicastMac(MAC, macText) : defaultMac(name);
        int mtu = mtu(config, MTU, 1500);
        boolean adminUp = config.bool(ADMIN_UP, true);
        boolean offload = config.bool(CHECKSUM_OFFLOAD, false);
        String namespace = config.namespace(POD_NAMESPACE);
        PodSide pod = null;
        if (namespace != null) {
            String ifName = interfaceName(config, POD_IFNAME, config.valueOr(POD_IFNAME, "eth0"));
            String podMac = config.optional(POD_MAC);
            if (podMac != null) {
                config.unicastMac(POD_MAC, podMac);
            }
            int podMtu = mtu(config, POD_MTU, mtu);
            List<String> addresses = list(config.value(POD_ADDRESSES));
            for (String address : addresses) {
                prefix(config, POD_ADDRESSES, address);
            }
            List<String> routes = list(config.value(POD_ROUTES));
            for (String route : routes) {
                String[] words = route.trim().split("\\s+");
                if (!words[0].equals("default")) {
                    prefix(config, POD_ROUTES, words[0].contains("/") ? words[0] : words[0] + "/32");
                }
                if (route.contains(" dev ")) {
                    throw config.refuse(POD_ROUTES, "'" + route + "': leave out 'dev', the route goes on the pod interface");
                }
            }
            pod = new PodSide(namespace, ifName, podMac, podMtu, addresses, routes);
        } else {
            for (String key : List.of(POD_IFNAME, POD_MAC, POD_MTU, POD_ADDRESSES, POD_ROUTES)) {
                if (config.isSet(key)) {
                    throw config.refuse(key, "set without " + POD_NAMESPACE + ": the kernel side stays in the box and"
                            + " is not configured");
                }
            }
        }
        return new TapPortConfig(config.pid(), name, tapName, mac, mtu, adminUp, offload, pod);
    }

    private static String interfaceName(PortProperties config, String key, String value) {
        if (value.length() >= IFNAMSIZ || !value.matches("[A-Za-z0-9_.-]+")) {
            throw config.refuse(key, "'" + value + "' is not a Linux interface name (1.." + (IFNAMSIZ - 1)
                    + " of letters, digits, . _ -; see IFNAMSIZ in include/uapi/linux/if.h)");
        }
        return value;
    }

    private static int mtu(PortProperties config, String key, int fallback) {
        int mtu = config.integer(key, fallback, Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (mtu < 68) {
            throw config.refuse(key, mtu + " is outside 68.." + MAX_MTU);
        }
        if (mtu > MAX_MTU) {
            throw config.refuse(key, mtu + " is larger than a packet buffer can carry: a frame of MTU + 18 bytes (Ethernet"
                    + " header and a VLAN tag) must fit the " + BufferPool.DATA_SIZE + " data bytes of one buffer"
                    + " (BufferPool.DATA_SIZE); at most " + MAX_MTU);
        }
        return mtu;
    }

    /** A list given as a String[] / collection, or as one string with entries separated by commas. */
    private static List<String> list(Object value) {
        List<String> result = new ArrayList<>();
        if (value == null) {
            return result;
        }
        Iterable<?> items = value instanceof Object[] array ? List.of(array)
                : value instanceof Iterable<?> iterable ? iterable : List.of(value.toString().split(","));
        for (Object item : items) {
            String text = item.toString().trim();
            if (!text.isEmpty()) {
                result.add(text);
            }
        }
        return result;
    }

    private static void prefix(PortProperties config, String key, String value) {
        int slash = value.indexOf('/');
        if (slash < 0) {
            throw config.refuse(key, "'" + value + "' has no prefix length (a.b.c.d/len)");
        }
        try {
            PacketFormat.parseIp4(value.substring(0, slash));
            int length = Integer.parseInt(value.substring(slash + 1));
            if (length < 0 || length > 32) {
                throw config.refuse(key, "'" + value + "': prefix length outside 0..32");
            }
        } catch (NumberFormatException e) {
            throw config.refuse(key, "'" + value + "' is not a.b.c.d/len");
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(config.pid())) {
                throw e;
            }
            throw config.refuse(key, "'" + value + "' is not a.b.c.d/len");
        }
    }

    /**
     * A stable locally administered unicast MAC for {@code name} when none is configured: 02:fe followed by
     * four bytes of the name's hash (IEEE 802 clause 8.2: U/L bit set, I/G bit clear), as VPP's tap
     * create gives 02:fe:xx:xx:xx:xx.
     */
    static long defaultMac(String name) {
        return 0x02fe_0000_0000L | (name.hashCode() & 0xffff_ffffL);
    }
}
