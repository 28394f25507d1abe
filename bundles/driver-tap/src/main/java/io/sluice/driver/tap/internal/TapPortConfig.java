package io.sluice.driver.tap.internal;

import io.sluice.driver.tap.api.PodSide;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.PacketFormat;

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
                            boolean checksumOffload, PodSide pod) {

    public static final String FACTORY_PID = "io.sluice.driver.tap";

    static final String NAME = "name";
    static final String TAP_NAME = "tap.name";
    static final String MAC = "mac";
    static final String MTU = "mtu";
    static final String ADMIN_UP = "admin.up";
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
        Object pidValue = properties.get("service.pid");
        String pid = pidValue != null ? pidValue.toString() : FACTORY_PID;
        String name = interfaceName(pid, NAME, required(pid, properties, NAME));
        String tapName = interfaceName(pid, TAP_NAME, valueOr(properties, TAP_NAME, name));
        String macText = optional(properties, MAC);
        long mac = macText != null ? mac(pid, MAC, macText) : defaultMac(name);
        int mtu = mtu(pid, properties, MTU, 1500);
        boolean adminUp = bool(pid, properties, ADMIN_UP, true);
        boolean offload = bool(pid, properties, CHECKSUM_OFFLOAD, false);
        String namespace = optional(properties, POD_NAMESPACE);
        PodSide pod = null;
        if (namespace != null) {
            if (!namespace.matches("[A-Za-z0-9_.-]+")) {
                throw refuse(pid, POD_NAMESPACE, "'" + namespace + "' is not a namespace name (letters, digits, . _ -)");
            }
            String ifName = interfaceName(pid, POD_IFNAME, valueOr(properties, POD_IFNAME, "eth0"));
            String podMac = optional(properties, POD_MAC);
            if (podMac != null) {
                mac(pid, POD_MAC, podMac);
            }
            int podMtu = mtu(pid, properties, POD_MTU, mtu);
            List<String> addresses = list(properties, POD_ADDRESSES);
            for (String address : addresses) {
                prefix(pid, POD_ADDRESSES, address);
            }
            List<String> routes = list(properties, POD_ROUTES);
            for (String route : routes) {
                String[] words = route.trim().split("\\s+");
                if (!words[0].equals("default")) {
                    prefix(pid, POD_ROUTES, words[0].contains("/") ? words[0] : words[0] + "/32");
                }
                if (route.contains(" dev ")) {
                    throw refuse(pid, POD_ROUTES, "'" + route + "': leave out 'dev', the route goes on the pod interface");
                }
            }
            pod = new PodSide(namespace, ifName, podMac, podMtu, addresses, routes);
        } else {
            for (String key : List.of(POD_IFNAME, POD_MAC, POD_MTU, POD_ADDRESSES, POD_ROUTES)) {
                if (properties.get(key) != null) {
                    throw refuse(pid, key, "set without " + POD_NAMESPACE + ": the kernel side stays in the box and"
                            + " is not configured");
                }
            }
        }
        return new TapPortConfig(pid, name, tapName, mac, mtu, adminUp, offload, pod);
    }

    static IllegalArgumentException refuse(String pid, String key, String why) {
        return new IllegalArgumentException(pid + ": key '" + key + "': " + why);
    }

    private static String required(String pid, Map<String, ?> properties, String key) {
        String value = optional(properties, key);
        if (value == null) {
            throw refuse(pid, key, "missing (required)");
        }
        return value;
    }

    private static String optional(Map<String, ?> properties, String key) {
        Object value = properties.get(key);
        if (value == null) {
            return null;
        }
        String text = value.toString().trim();
        return text.isEmpty() ? null : text;
    }

    private static String valueOr(Map<String, ?> properties, String key, String fallback) {
        String value = optional(properties, key);
        return value != null ? value : fallback;
    }

    private static String interfaceName(String pid, String key, String value) {
        if (value.length() >= IFNAMSIZ || !value.matches("[A-Za-z0-9_.-]+")) {
            throw refuse(pid, key, "'" + value + "' is not a Linux interface name (1.." + (IFNAMSIZ - 1)
                    + " of letters, digits, . _ -; see IFNAMSIZ in include/uapi/linux/if.h)");
        }
        return value;
    }

    private static long mac(String pid, String key, String value) {
        try {
            long mac = PacketFormat.parseMac(value);
            if ((mac & 0x0100_0000_0000L) != 0) {
                throw refuse(pid, key, "'" + value + "' is a group address (I/G bit set): a port needs a unicast MAC");
            }
            return mac;
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(pid)) {
                throw e;
            }
            throw refuse(pid, key, "'" + value + "' is not a MAC address (six hex octets separated by ':')");
        }
    }

    private static int mtu(String pid, Map<String, ?> properties, String key, int fallback) {
        int mtu = integer(pid, properties, key, fallback, Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (mtu < 68) {
            throw refuse(pid, key, mtu + " is outside 68.." + MAX_MTU);
        }
        if (mtu > MAX_MTU) {
            throw refuse(pid, key, mtu + " is larger than a packet buffer can carry: a frame of MTU + 18 bytes (Ethernet"
                    + " header and a VLAN tag) must fit the " + BufferPool.DATA_SIZE + " data bytes of one buffer"
                    + " (BufferPool.DATA_SIZE); at most " + MAX_MTU);
        }
        return mtu;
    }

    private static int integer(String pid, Map<String, ?> properties, String key, int fallback, int min, int max) {
        String value = optional(properties, key);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                throw refuse(pid, key, parsed + " is outside " + min + ".." + max);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw refuse(pid, key, "'" + value + "' is not a whole number");
        }
    }

    private static boolean bool(String pid, Map<String, ?> properties, String key, boolean fallback) {
        String value = optional(properties, key);
        if (value == null) {
            return fallback;
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw refuse(pid, key, "'" + value + "' is neither true nor false");
    }

    /** A list given as a String[] / collection, or as one string with entries separated by commas. */
    private static List<String> list(Map<String, ?> properties, String key) {
        Object value = properties.get(key);
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

    private static void prefix(String pid, String key, String value) {
        int slash = value.indexOf('/');
        if (slash < 0) {
            throw refuse(pid, key, "'" + value + "' has no prefix length (a.b.c.d/len)");
        }
        try {
            PacketFormat.parseIp4(value.substring(0, slash));
            int length = Integer.parseInt(value.substring(slash + 1));
            if (length < 0 || length > 32) {
                throw refuse(pid, key, "'" + value + "': prefix length outside 0..32");
            }
        } catch (NumberFormatException e) {
            throw refuse(pid, key, "'" + value + "' is not a.b.c.d/len");
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(pid)) {
                throw e;
            }
            throw refuse(pid, key, "'" + value + "' is not a.b.c.d/len");
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
