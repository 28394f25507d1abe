package io.sluice.driver.afxdp.internal;

import io.sluice.driver.afxdp.api.AfXdpConfig;
import io.sluice.vnet.api.HostInterfaceConfig;
import io.sluice.vnet.api.HostInterfacePortConfig;
import io.sluice.vnet.api.PortProperties;

import java.util.Locale;
import java.util.Map;

/**
 * The configuration of one AF_XDP host port, factory PID {@value #FACTORY_PID}. Every value is checked before the
 * netdev is touched; a bad value is refused naming the PID, the key and the reason.
 *
 * @param host        the netdev, its namespace, the interface name, MAC and admin state
 * @param socket      queue, ring sizes, frame size and bind mode
 */
public record XskPortConfig(HostInterfaceConfig host, AfXdpConfig socket) implements HostInterfacePortConfig {

    public static final String FACTORY_PID = "io.sluice.driver.afxdp";

    public static XskPortConfig from(Map<String, ?> properties) {
        PortProperties config = new PortProperties(properties, FACTORY_PID);
        HostInterfaceConfig host = HostInterfaceConfig.from(config, "xdp-");
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
        return new XskPortConfig(host, new AfXdpConfig(queue, rxSize, txSize, frameSize, mode));
    }

    private static int powerOfTwo(PortProperties config, String key, int value) {
        if ((value & (value - 1)) != 0) {
            throw config.refuse(key, value + " is not a power of two (the kernel's rings are)");
        }
        return value;
    }

    /** The driver's own keys (docs/configuration.md); the shared ones are HostInterfaceConfig's. */
    static final String QUEUE_ID = "queue.id";
    static final String RX_RING_SIZE = "rx.ring.size";
    static final String TX_RING_SIZE = "tx.ring.size";
    static final String FRAME_SIZE = "frame.size";
    static final String BIND_MODE = "mode";
}
