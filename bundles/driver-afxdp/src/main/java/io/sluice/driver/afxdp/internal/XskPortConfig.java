package io.sluice.driver.afxdp.internal;

import io.sluice.driver.afxdp.api.AfXdpConfig;
import io.sluice.vnet.api.PortConfig;
import io.sluice.vnet.api.PortProperties;

import java.util.Locale;
import java.util.Map;

/**
 * The configuration of one AF_XDP host port, factory PID {@value #FACTORY_PID}. Every value is checked before the
 * netdev is touched; a bad value is refused naming the PID, the key and the reason.
 *
 * @param pid         the configuration's PID, quoted in messages
 * @param hostIfName  the Linux netdev, e.g. enp0s8 or a veth
 * @param name        the interface name: xdp-&lt;ifname&gt; unless configured (GigabitEthernet0/8/0)
 * @param namespace   the network namespace the netdev lives in, or null for the box's own
 * @param macOverride a MAC written to the netdev before it is opened, or -1 to keep the netdev's
 * @param adminUp     admin state given to the interface when it is first registered
 * @param socket      queue, ring sizes, frame size and bind mode
 */
public record XskPortConfig(String pid, String hostIfName, String name, String namespace, long macOverride,
                            boolean adminUp, AfXdpConfig socket) implements PortConfig {

    public static final String FACTORY_PID = "io.sluice.driver.afxdp";

    static final String HOST_IFNAME = "host.ifname";
    static final String NAMESPACE = "namespace";
    static final String QUEUE_ID = "queue.id";
    static final String RX_RING_SIZE = "rx.ring.size";
    static final String TX_RING_SIZE = "tx.ring.size";
    static final String FRAME_SIZE = "frame.size";
    static final String BIND_MODE = "mode";

    private static final int IFNAMSIZ = 16;

    public static XskPortConfig from(Map<String, ?> properties) {
        PortProperties config = new PortProperties(properties, FACTORY_PID);
        String hostIfName = config.required(HOST_IFNAME);
        if (hostIfName.length() >= IFNAMSIZ || !hostIfName.matches("[A-Za-z0-9_.@-]+")) {
            throw config.refuse(HOST_IFNAME, "'" + hostIfName + "' is not a Linux interface name (1.." + (IFNAMSIZ - 1)
                    + " of letters, digits, . _ - @; IFNAMSIZ in include/uapi/linux/if.h)");
        }
        String name = config.optional(NAME);
        if (name == null) {
            name = "xdp-" + hostIfName;
        } else if (!name.matches("[A-Za-z0-9_./-]+")) {
            throw config.refuse(NAME, "'" + name + "' may hold only letters, digits and . _ / -");
        }
        String namespace = config.namespace(NAMESPACE);
        String macText = config.optional(MAC);
        long mac = macText != null ? config.unicastMac(MAC, macText) : -1;
        boolean adminUp = config.bool(ADMIN_UP, true);
        AfXdpConfig defaults = AfXdpConfig.defaults();
        int queue = config.integer(QUEUE_ID, defaults.queueId(), 0, 4095);
        int rxSize = powerOfTwo(config, RX_RING_SIZE, config.integer(RX_RING_SIZE, defaults.rxSize(), 64, 32768));
        int txSize = powerOfTwo(config, TX_RING_SIZE, config.integer(TX_RING_SIZE, defaults.txSize(), 64, 32768));
        int frameSize = config.integer(FRAME_SIZE, defaults.frameSize(), 2048, 4096);
        if (frameSize != 2048 && frameSize != 4096) {
            throw config.refuse(FRAME_SIZE, frameSize + " is neither 2048 nor 4096 (aligned UMEM chunks are a power"
                    + " of two, at most a page)");
        }
        AfXdpConfig.BindMode mode = defaults.bindMode();
        String modeText = config.optional(BIND_MODE);
        if (modeText != null) {
            switch (modeText.toLowerCase(Locale.ROOT)) {
                case "auto" -> mode = AfXdpConfig.BindMode.AUTO;
                case "copy" -> mode = AfXdpConfig.BindMode.COPY;
                case "zero-copy" -> mode = AfXdpConfig.BindMode.ZERO_COPY;
                default -> throw config.refuse(BIND_MODE, "'" + modeText + "' is none of auto, copy, zero-copy");
            }
        }
        return new XskPortConfig(config.pid(), hostIfName, name, namespace, mac, adminUp,
                new AfXdpConfig(queue, rxSize, txSize, frameSize, mode));
    }

    private static int powerOfTwo(PortProperties config, String key, int value) {
        if ((value & (value - 1)) != 0) {
            throw config.refuse(key, value + " is not a power of two (the kernel's rings are)");
        }
        return value;
    }
}
