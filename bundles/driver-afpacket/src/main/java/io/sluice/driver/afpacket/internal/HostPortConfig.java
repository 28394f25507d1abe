package io.sluice.driver.afpacket.internal;

import io.sluice.driver.afpacket.api.AfPacketConfig;
import io.sluice.vnet.api.HostInterfaceConfig;
import io.sluice.vnet.api.HostInterfacePortConfig;
import io.sluice.packet.api.PortBlocks;
import io.sluice.vnet.api.PortProperties;

import java.util.Locale;
import java.util.Map;

/**
 * The configuration of one host port, factory PID {@value #FACTORY_PID}. Every value is checked before the
 * netdev is touched; a bad value is refused naming the PID, the key and the reason.
 *
 * @param host        the netdev, its namespace, the interface name, MAC and admin state
 * @param rings       ring sizes and the transmit path
 * @param fanout      the receive queues and how the kernel shares the frames between them
 */
public record HostPortConfig(HostInterfaceConfig host, AfPacketConfig rings, AfPacketFanout fanout)
        implements HostInterfacePortConfig {

    public static final String FACTORY_PID = "io.sluice.driver.afpacket";

    /** {@link #from(Map, int)} on a graph of one worker. */
    public static HostPortConfig from(Map<String, ?> properties) {
        return from(properties, 1);
    }

    /** The configuration of a port on a graph of {@code workers} workers (what steering by port block splits for). */
    public static HostPortConfig from(Map<String, ?> properties, int workers) {
        PortProperties config = new PortProperties(properties, FACTORY_PID);
        HostInterfaceConfig host = HostInterfaceConfig.from(config, "host-");
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
        return new HostPortConfig(host, new AfPacketConfig(blockSize, blockCount, timeout, txFrames, mode, ring),
                fanout(config, workers));
    }

    /**
     * {@code rx-queues} (1 by default) and {@code rx-fanout}: {@code hash} (the kernel's flow hash, the default) or
     * {@code nat44-port-blocks} (a queue per worker, each taking the replies to the NAT44 ports of its worker's
     * block; {@code rx-queues} then defaults to the workers and may not differ from them).
     */
    private static AfPacketFanout fanout(PortProperties config, int workers) {
        String mode = config.optional(RX_FANOUT);
        boolean steered = false;
        if (mode != null) {
            switch (mode.trim().toLowerCase(Locale.ROOT)) {
                case "hash" -> steered = false;
                case "nat44-port-blocks" -> steered = true;
                default -> throw config.refuse(RX_FANOUT, "'" + mode + "' is neither hash nor nat44-port-blocks");
            }
        }
        int queues = config.integer(RX_QUEUES, steered ? workers : 1, 1, AfPacketFanout.MAX_QUEUES);
        if (steered && queues != workers) {
            throw config.refuse(RX_QUEUES, queues + " queues, but nat44-port-blocks steers to one queue per worker ("
                    + workers + ")");
        }
        return new AfPacketFanout(queues, steered && queues > 1 ? new PortBlocks(workers) : null);
    }

    /** Steered queues are polled where they are steered to: queue q by worker q. */
    @Override
    public int[] rxPlacement(int workers) {
        if (fanout.steering() == null) {
            return null;
        }
        int[] placement = new int[fanout.queues()];
        for (int q = 0; q < placement.length; q++) {
            placement[q] = q;
        }
        return placement;
    }

    /** The driver's own keys (docs/configuration.md); the shared ones are HostInterfaceConfig's. */
    static final String RX_BLOCK_SIZE = "rx.block.size";
    static final String RX_BLOCK_COUNT = "rx.block.count";
    static final String RX_BLOCK_TIMEOUT_MS = "rx.block.timeout.ms";
    static final String TX_FRAMES = "tx.frames";
    static final String TX_MODE = "tx.mode";
    static final String RX_RING = "rx.ring";
    static final String RX_QUEUES = "rx-queues";
    static final String RX_FANOUT = "rx-fanout";
}
