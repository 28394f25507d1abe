package io.sluice.driver.afxdp.internal;

import io.sluice.driver.afxdp.api.AfXdpConfig;
import io.sluice.nativeio.api.NetNamespace;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.DeviceHardware;
import io.sluice.vnet.api.HostInterfacePort;
import io.sluice.vnet.api.HostNetdev;
import io.sluice.vnet.api.HostTxTrace;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An AF_XDP host port as vnet sees it: an {@link AfXdpDevice} on one queue of a Linux netdev, named
 * {@code xdp-<ifname>} unless configured otherwise (the lab's GigabitEthernet0/8/0). The netdev's MAC, MTU and
 * link state are vnet's {@link HostNetdev} (a netdev that is down runs no XDP program: it is set up); this
 * class adds the XDP socket and its UMEM.
 */
public final class XskPort extends HostInterfacePort<AfXdpDevice> {

    private XskPort(String name, HostNetdev netdev, AfXdpDevice device) {
        super(name, netdev, device);
    }

    /** Binds an XDP socket to the configured netdev's queue as interface {@code config.host().name()}. */
    public static XskPort open(XskPortConfig config) {
        return open(config.host(), netdev -> new XskPort(config.host().name(), netdev, NetNamespace.call(
                netdev.namespace(), () -> AfXdpDevice.open(netdev.ifName(), config.socket()))));
    }

    @Override
    public DeviceHardware hardware() {
        AfXdpDevice device = device();
        AfXdpConfig config = device.config();
        String host = netdev().describe() + ", queue " + config.queueId()
                + ", " + device.boundMode().name().toLowerCase(Locale.ROOT) + " mode";
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("rx packets", device.rxPackets());
        counters.put("rx bytes", device.rxBytes());
        counters.put("rx errors", device.rxErrors());
        counters.put("rx kernel drops", device.kernelRxDropped());
        counters.put("rx ring full", device.kernelRxRingFull());
        counters.put("fill ring empty", device.kernelFillRingEmpty());
        counters.put("tx packets", device.txPackets());
        counters.put("tx bytes", device.txBytes());
        counters.put("tx oversize", device.txOversize());
        counters.put("tx ring full", device.txRingFull());
        counters.put("tx kick failures", device.txKickFailures());
        counters.put("tx invalid descriptors", device.kernelTxInvalid());
        return new DeviceHardware("af_xdp", host, 1, 1, config.rxSize(), config.txSize(), List.of(), counters);
    }

    @Override
    public void traceTx(BufferPool pool, int bi, MemorySegment record, long offset) {
        HostTxTrace.write(record, offset, swIfIndex(), device().config().queueId(), 0, pool, bi);
    }

    @Override
    public void formatTxTrace(MemorySegment record, long offset, StringBuilder out) {
        HostTxTrace.formatPortLine("af_xdp", record, offset, out);
        HostTxTrace.formatBuffer(record, offset, out);
    }

    /**
     * The socket and the UMEM close in the netdev's namespace (libxdp detaches its program over netlink, which acts
     * in the calling thread's namespace).
     */
    @Override
    protected void closeSocket(AfXdpDevice socket) {
        NetNamespace.call(namespace(), () -> {
            socket.close();
            return null;
        });
    }
}
