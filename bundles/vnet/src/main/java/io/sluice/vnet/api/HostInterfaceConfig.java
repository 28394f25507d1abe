package io.sluice.vnet.api;

/**
 * What the configuration of every host-interface port (AF_PACKET, AF_XDP) says the same way: which netdev, in
 * which namespace, under which interface name, with which MAC and admin state. A driver's config record holds
 * one beside its own ring and socket settings. Every value is checked before the netdev is touched; a bad value
 * is refused naming the PID, the key and the reason.
 *
 * @param pid         the configuration's PID, quoted in messages
 * @param hostIfName  the Linux netdev, e.g. enp0s8 or a veth
 * @param name        the interface name: the driver's prefix and the netdev's name unless configured
 *                    (GigabitEthernet0/8/0)
 * @param namespace   the network namespace the netdev lives in, or null for the box's own
 * @param macOverride a MAC written to the netdev before it is opened, or -1 to keep the netdev's
 * @param adminUp     admin state given to the interface when it is first registered
 */
public record HostInterfaceConfig(String pid, String hostIfName, String name, String namespace, long macOverride,
                                  boolean adminUp) {

    /** The configuration's key for the Linux netdev. */
    public static final String HOST_IFNAME = "host.ifname";
    /** The configuration's key for the netdev's network namespace. */
    public static final String NAMESPACE = "namespace";

    /** include/uapi/linux/if.h: a netdev's name and its NUL fit in 16 bytes. */
    private static final int IFNAMSIZ = 16;

    /**
     * Reads the keys every host-interface port shares; the interface name defaults to {@code namePrefix} and the
     * netdev's name ({@code host-enp0s8}).
     */
    public static HostInterfaceConfig from(PortProperties config, String namePrefix) {
        String hostIfName = config.required(HOST_IFNAME);
        if (hostIfName.length() >= IFNAMSIZ || !hostIfName.matches("[A-Za-z0-9_.@-]+")) {
            throw config.refuse(HOST_IFNAME, "'" + hostIfName + "' is not a Linux interface name (1.." + (IFNAMSIZ - 1)
                    + " of letters, digits, . _ - @; IFNAMSIZ in include/uapi/linux/if.h)");
        }
        String name = config.optional(PortConfig.NAME);
        if (name == null) {
            name = namePrefix + hostIfName;
        } else if (!name.matches("[A-Za-z0-9_./-]+")) {
            throw config.refuse(PortConfig.NAME, "'" + name + "' may hold only letters, digits and . _ / -");
        }
        String namespace = config.namespace(NAMESPACE);
        String macText = config.optional(PortConfig.MAC);
        long mac = macText != null ? config.unicastMac(PortConfig.MAC, macText) : -1;
        boolean adminUp = config.bool(PortConfig.ADMIN_UP, true);
        return new HostInterfaceConfig(config.pid(), hostIfName, name, namespace, mac, adminUp);
    }
}
