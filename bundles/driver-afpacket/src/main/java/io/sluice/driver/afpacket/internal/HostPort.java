package io.sluice.driver.afpacket.internal;

import io.sluice.driver.afpacket.api.AfPacketConfig;
import io.sluice.nativeio.api.NetNamespace;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.DeviceHardware;
import io.sluice.vnet.api.DeviceInput;
import io.sluice.vnet.api.HostInterfacePort;
import io.sluice.vnet.api.HostNetdev;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A host port as vnet sees it: an {@link AfPacketDevice} on a Linux netdev, named {@code host-<ifname>}
 * unless configured otherwise (the lab's GigabitEthernet0/8/0). The netdev's MAC, MTU and link state are
 * vnet's {@link HostNetdev}; this class adds the packet sockets.
 */
public final class HostPort extends HostInterfacePort<AfPacketDevice> {

    private HostPort(String name, HostNetdev netdev, AfPacketDevice device) {
        super(name, netdev, device);
    }

    /** Opens the configured netdev's packet sockets as interface {@code config.host().name()}. */
    public static HostPort open(HostPortConfig config) {
        return open(config.host(), netdev -> new HostPort(config.host().name(), netdev, NetNamespace.call(
                netdev.namespace(), () -> AfPacketDevice.open(netdev.ifName(), config.rings(), config.fanout()))));
    }

    /** One receive queue of a host port: its own socket and ring, polled by the worker it is placed on. */
    public record RxQueue(HostPort port, int queue) implements DeviceInput.Port {
        @Override
        public int swIfIndex() {
            return port.swIfIndex();
        }

        @Override
        public int rxFd() {
            return port.device().rxFd(queue);
        }

        @Override
        public int rxQueue() {
            return queue;
        }
    }

    /** The port's receive queues, for af-packet-input to poll. */
    public List<RxQueue> rxQueues() {
        List<RxQueue> queues = new java.util.ArrayList<>();
        for (int q = 0; q < device().rxQueues(); q++) {
            queues.add(new RxQueue(this, q));
        }
        return List.copyOf(queues);
    }

    /**
     * One packet socket each way (packet(7)): the receive ring as configured, TPACKET_V2 slots or V3 blocks
     * (its size is then given in blocks), the transmit ring's slots or sendmmsg's batch. Frames the kernel
     * handed over with a partial checksum are completed here (TP_STATUS_CSUMNOTREADY), shown as an offload
     * the kernel left to us.
     */
    @Override
    public DeviceHardware hardware() {
        AfPacketDevice device = device();
        AfPacketConfig config = device.config();
        AfPacketFanout fanout = device.fanout();
        String host = netdev().describe() + ", ifindex " + device.ifIndex()
                + (fanout.queues() == 1 ? "" : ", " + fanout.queues() + " rx queues in a fanout group by "
                + (fanout.steering() == null ? "flow hash" : "NAT44 port block"))
                + ", rx " + (config.rxRing() == AfPacketConfig.RxRing.V2 ? "TPACKET_V2 slots" : "TPACKET_V3 blocks of "
                + config.rxBlockSize() + " bytes") + ", tx " + config.txMode().name().toLowerCase(Locale.ROOT);
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("rx packets", device.rxPackets());
        counters.put("rx bytes", device.rxBytes());
        counters.put("rx errors", device.rxErrors());
        counters.put("rx kernel drops", device.rxKernelDrops());
        counters.put("rx checksums completed", device.rxChecksumsCompleted());
        counters.put("tx packets", device.txPackets());
        counters.put("tx bytes", device.txBytes());
        counters.put("tx errors", device.txErrors());
        counters.put("tx ring full", device.txRingFull());
        counters.put("tx flush failures", device.txFlushFailures());
        int rxRing = config.rxRing() == AfPacketConfig.RxRing.V2
                ? (int) ((long) config.rxBlockSize() * config.rxBlockCount() / AfPacketDevice.FRAME_SIZE)
                : config.rxBlockCount();
        for (int q = 0; q < device.rxQueues() && device.rxQueues() > 1; q++) {
            counters.put("rx queue " + q + " packets", device.rxPackets(q));
        }
        return new DeviceHardware("af_packet", host, device.rxQueues(), 1, rxRing, config.txFrames(),
                List.of("rx-csum-partial-completed"), counters);
    }

    @Override
    public void traceTx(BufferPool pool, int bi, MemorySegment record, long offset) {
        AfPacketTxTrace.write(record, offset, swIfIndex(), device().config().txMode() == AfPacketConfig.TxMode.TX_RING,
                pool, bi);
    }

    @Override
    public void formatTxTrace(MemorySegment record, long offset, StringBuilder out) {
        AfPacketTxTrace.format(record, offset, out);
    }
}
