package io.sluice.driver.afpacket.internal;

import io.sluice.driver.afpacket.api.AfPacketConfig;
import io.sluice.vnet.api.PortConfig;
import io.sluice.vnet.api.PortProperties;

import java.util.Locale;
import java.util.Map;

/**
 * The configuration of one host port, factory PID {@value #FACTORY_PID}. Every value is checked before the
 * netdev is touched; a bad value is refused naming the PID, the key and the reason.
 *
 * @param pid         the configuration's PID, quoted in messages
 * @param hostIfName  the Linux netdev, e.g. enp0s8 or a veth
 * @param name        the interface name: host-&lt;ifname&gt; unless configured (GigabitEthernet0/8/0)
 * @param namespace   the network namespace the netdev lives in, or null for the box's own
 * @param macOverride a MAC written to the netdev before it is opened, or -1 to keep the netdev's
 * @param adminUp     admin state given to the interface when it is first registered
 * @param rings       ring sizes and the transmit path
 */
public record HostPortConfig(String pid, String hostIfName, String name, String namespace, long macOverride,
                             boolean adminUp, AfPacketConfig rings) implements PortConfig {

    public static final String FACTORY_PID = "io.sluice.driver.afpacket";

    static final String HOST_IFNAME = "host.ifname";
    static final String NAMESPACE = "namespace";
    static final String RX_BLOCK_SIZE = "rx.block.size";
    static final String RX_BLOCK_COUNT = "rx.block.count";
    static final String RX_BLOCK_TIMEOUT_MS = "rx.block.timeout.ms";
    static final String TX_FRAMES = "tx.frames";
    static final String TX_MODE = "tx.mode";
    static final String RX_RING = "rx.ring";

    private static final int IFNAMSIZ = 16;

    public static HostPortConfig from(Map<String, ?> properties) {
        PortProperties config = new PortProperties(properties, FACTORY_PID);
        String hostIfName = config.required(HOST_IFNAME);
        if (hostIfName.length() >= IFNAMSIZ || !hostIfName.matches("[A-Za-z0-9_.@-]+")) {
            throw config.refuse(HOST_IFNAME, "'" + hostIfName + "' is not a Linux interface name (1.." + (IFNAMSIZ - 1)
                    + " of letters, digits, . _ - @; IFNAMSIZ in include/uapi/linux/if.h)");
        }
        String name = config.optional(NAME);
        if (name == null) {
            name = "host-" + hostIfName;
        } else if (!name.matches("[A-Za-z0-9_./-]+")) {
            throw config.refuse(NAME, "'" + name + "' may hold only letters, digits and . _ / -");
        }
        String namespace = config.namespace(NAMESPACE);
        String macText = config.optional(MAC);
        long mac = macText != null ? config.unicastMac(MAC, macText) : -1;
        boolean adminUp = config.bool(ADMIN_UP, true);
        AfPacketConfig defaults = AfPacketConfig.defaults();
        int blockSize = config.integer(RX_BLOCK_SIZE, defaults.rxBlockSize(), 4096, 1 << 24);
        if (blockSize % 4096 != 0) {
            throw config.refuse(RX_BLOCK_SIZE, blockSize + " is not a multiple of the page size (4096)");
        }
        int blockCount = config.integer(RX_BLOCK_COUNT, defaults.rxBlockCount(), 1, 4096);
        int timeout = config.integer(RX_BLOCK_TIMEOUT_MS, defaults.rxBlockTimeoutMillis(), 1, 1000);
        int txFrames = config.integer(TX_FRAMES, defaults.txFrames(), 1, 65536);
        AfPacketConfig.TxMode mode = defaults.txMode();
        String modeText = config.optional(TX_MODE);
        if (modeText != null) {
            switch (modeText.toLowerCase(Locale.ROOT)) {
                case "sendmmsg" -> mode = AfPacketConfig.TxMode.SENDMMSG;
                case "tx-ring" -> mode = AfPacketConfig.TxMode.TX_RING;
                default -> throw config.refuse(TX_MODE, "'" + modeText + "' is neither sendmmsg nor tx-ring");
            }
        }
        AfPacketConfig.RxRing ring = defaults.rxRing();
        String ringText = config.optional(RX_RING);
        if (ringText != null) {
            switch (ringText.toLowerCase(Locale.ROOT)) {
                case "v2" -> ring = AfPacketConfig.RxRing.V2;
                case "v3" -> ring = AfPacketConfig.RxRing.V3;
                default -> throw config.refuse(RX_RING, "'" + ringText + "' is neither v2 nor v3 (TPACKET_V2, TPACKET_V3)");
            }
        }
        if (mode == AfPacketConfig.TxMode.TX_RING && txFrames % 32 != 0) {
            throw config.refuse(TX_FRAMES, txFrames + " is not a multiple of 32 (tx-ring blocks of 64 KiB hold 32 slots)");
        }
        return new HostPortConfig(config.pid(), hostIfName, name, namespace, mac, adminUp,
                new AfPacketConfig(blockSize, blockCount, timeout, txFrames, mode, ring));
    }
}
