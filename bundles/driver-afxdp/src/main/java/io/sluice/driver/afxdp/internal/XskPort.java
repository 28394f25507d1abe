package io.sluice.driver.afxdp.internal;

import io.sluice.driver.afxdp.api.AfXdpConfig;
import io.sluice.nativeio.api.Libc;
import io.sluice.nativeio.api.LinuxConstants;
import io.sluice.nativeio.api.NativeException;
import io.sluice.nativeio.api.NetNamespace;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.AbstractPort;
import io.sluice.vnet.api.DeviceHardware;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An AF_XDP host port as vnet sees it: an {@link AfXdpDevice} on one queue of a Linux netdev, named
 * {@code xdp-<ifname>} unless configured otherwise (the lab's GigabitEthernet0/8/0). MAC and MTU are the netdev's, read with
 * SIOCGIFHWADDR and SIOCGIFMTU (netdevice(7)); a configured MAC is first written to the netdev with
 * SIOCSIFHWADDR, so that the kernel's view and the box's rewrite source agree. The netdev is set up
 * (IFF_UP): a netdev that is down runs no XDP program.
 */
public final class XskPort extends AbstractPort {

    /** include/uapi/linux/sockios.h: set the hardware address. */
    static final long SIOCSIFHWADDR = 0x8924;
    /** include/uapi/linux/if.h: the driver signals its link (carrier) is on. */
    static final int IFF_RUNNING = 0x40;
    /** include/uapi/linux/if_arp.h: ifr_hwaddr.sa_family of an Ethernet netdev. */
    static final int ARPHRD_ETHER = 1;
    /** struct sockaddr inside struct ifreq: sa_family at the union's start, sa_data after it. */
    private static final int HWADDR_DATA = LinuxConstants.IFREQ_UNION + 2;

    private final String ifName;
    private final String namespace;
    private final AfXdpDevice device;
    private final int controlSocket;
    private volatile boolean closed;

    private XskPort(String name, String ifName, String namespace, AfXdpDevice device, int controlSocket,
                     long mac, int mtu) {
        super(name, mac, mtu);
        this.ifName = ifName;
        this.namespace = namespace;
        this.device = device;
        this.controlSocket = controlSocket;
    }

    /**
     * Opens netdev {@code ifName} (in {@code namespace}, or the box's own when null) as interface
     * {@code name}; {@code macOverride} is written to it first unless negative. Nothing is left open on failure.
     */
    public static XskPort open(String name, String ifName, String namespace, long macOverride,
                                AfXdpConfig config) {
        int socket = NetNamespace.controlSocket(namespace);
        try {
            if (macOverride >= 0) {
                setMac(socket, ifName, macOverride);
            }
            setUp(socket, ifName);
            long mac = readMac(socket, ifName);
            int mtu = readInt(socket, LinuxConstants.SIOCGIFMTU, ifName);
            AfXdpDevice device = NetNamespace.call(namespace, () -> AfXdpDevice.open(ifName, config));
            return new XskPort(name, ifName, namespace, device, socket, mac, mtu);
        } catch (RuntimeException e) {
            Libc.close(socket);
            throw e;
        }
    }

    private static MemorySegment ifreq(Arena arena, String ifName) {
        MemorySegment ifreq = arena.allocate(LinuxConstants.IFREQ_SIZE);
        ifreq.setString(0, ifName);
        return ifreq;
    }

    private static void setMac(int socket, String ifName, long mac) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment ifreq = ifreq(scratch, ifName);
            ifreq.set(ValueLayout.JAVA_SHORT, LinuxConstants.IFREQ_UNION, (short) ARPHRD_ETHER);
            for (int i = 0; i < 6; i++) {
                ifreq.set(ValueLayout.JAVA_BYTE, HWADDR_DATA + i, (byte) (mac >>> (40 - 8 * i)));
            }
            Libc.ioctl(socket, SIOCSIFHWADDR, ifreq, '"' + ifName + '"');
        }
    }

    private static long readMac(int socket, String ifName) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment ifreq = ifreq(scratch, ifName);
            Libc.ioctl(socket, LinuxConstants.SIOCGIFHWADDR, ifreq, '"' + ifName + '"');
            long mac = 0;
            for (int i = 0; i < 6; i++) {
                mac = mac << 8 | (ifreq.get(ValueLayout.JAVA_BYTE, HWADDR_DATA + i) & 0xff);
            }
            return mac;
        }
    }

    private static int readInt(int socket, long request, String ifName) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment ifreq = ifreq(scratch, ifName);
            Libc.ioctl(socket, request, ifreq, '"' + ifName + '"');
            return ifreq.get(ValueLayout.JAVA_INT, LinuxConstants.IFREQ_UNION);
        }
    }

    private static int flags(int socket, String ifName) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment ifreq = ifreq(scratch, ifName);
            Libc.ioctl(socket, LinuxConstants.SIOCGIFFLAGS, ifreq, '"' + ifName + '"');
            return ifreq.get(ValueLayout.JAVA_SHORT, LinuxConstants.IFREQ_UNION) & 0xffff;
        }
    }

    private static void setUp(int socket, String ifName) {
        int flags = flags(socket, ifName);
        if ((flags & LinuxConstants.IFF_UP) == 0) {
            try (Arena scratch = Arena.ofConfined()) {
                MemorySegment ifreq = ifreq(scratch, ifName);
                ifreq.set(ValueLayout.JAVA_SHORT, LinuxConstants.IFREQ_UNION, (short) (flags | LinuxConstants.IFF_UP));
                Libc.ioctl(socket, LinuxConstants.SIOCSIFFLAGS, ifreq, '"' + ifName + '"');
            }
        }
    }

    /** The AF_XDP socket: readable when the RX ring holds descriptors. */
    @Override
    public int rxFd() {
        return device.rxFd();
    }

    @Override
    public DeviceHardware hardware() {
        AfXdpConfig config = device.config();
        String host = ifName + (namespace != null ? " in netns " + namespace : "") + ", queue " + config.queueId()
                + ", " + device.boundMode().name().toLowerCase(java.util.Locale.ROOT) + " mode";
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

    public AfXdpDevice device() {
        return device;
    }

    public String ifName() {
        return ifName;
    }

    public String namespace() {
        return namespace;
    }

    /** A control-plane call (one ioctl): true while the netdev is UP and has carrier (RUNNING). */
    @Override
    public boolean linkUp() {
        if (closed) {
            return false;
        }
        try {
            int flags = flags(controlSocket, ifName);
            return (flags & LinuxConstants.IFF_UP) != 0 && (flags & IFF_RUNNING) != 0;
        } catch (NativeException e) {
            return false; // ENODEV: the netdev is gone
        }
    }

    /** The tx node keeps a record of each traced frame, as for the other host-interface drivers. */
    @Override
    public boolean tracesTx() {
        return true;
    }

    @Override
    public void traceTx(BufferPool pool, int bi, MemorySegment record, long offset) {
        AfXdpTxTrace.write(record, offset, swIfIndex(), device.config().queueId(), pool, bi);
    }

    @Override
    public void formatTxTrace(MemorySegment record, long offset, StringBuilder out) {
        AfXdpTxTrace.format(record, offset, out);
    }

    /** Sends every buffer and frees them all, sent or not; returns how many left. */
    @Override
    public int transmit(BufferPool pool, int[] buffers, int count) {
        int sent = closed ? 0 : device.transmit(pool, buffers, 0, count);
        pool.free(buffers, 0, count);
        return sent;
    }

    /** The netdev is the host's whatever the reason: only the socket and the UMEM close. */
    @Override
    public void close(boolean remove) {
        close();
    }

    /**
     * Closes the socket and the UMEM, in the netdev's namespace (libxdp detaches its program over netlink, which
     * acts in the calling thread's namespace). Call only once no worker can reach this port.
     */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        NetNamespace.call(namespace, () -> {
            device.close();
            return null;
        });
        Libc.close(controlSocket);
    }
}
