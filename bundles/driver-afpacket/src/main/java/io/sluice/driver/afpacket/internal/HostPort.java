package io.sluice.driver.afpacket.internal;

import io.sluice.driver.afpacket.api.AfPacketConfig;
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
 * A host port as vnet sees it: an {@link AfPacketDevice} on a Linux netdev, named {@code host-<ifname>}
 * unless configured otherwise (the lab's GigabitEthernet0/8/0). MAC and MTU are the netdev's, read with
 * SIOCGIFHWADDR and SIOCGIFMTU (netdevice(7)); a configured MAC is first written to the netdev with
 * SIOCSIFHWADDR, so that the kernel's view and the box's rewrite source agree. The netdev is set up
 * (IFF_UP): a netdev that is down delivers nothing to a packet socket.
 */
public final class HostPort extends AbstractPort {

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
    private final AfPacketDevice device;
    private final int controlSocket;
    private volatile boolean closed;

    private HostPort(String name, String ifName, String namespace, AfPacketDevice device, int controlSocket,
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
    public static HostPort open(String name, String ifName, String namespace, long macOverride,
                                AfPacketConfig config) {
        int socket = NetNamespace.controlSocket(namespace);
        try {
            if (macOverride >= 0) {
                setMac(socket, ifName, macOverride);
            }
            setUp(socket, ifName);
            long mac = readMac(socket, ifName);
            int mtu = readInt(socket, LinuxConstants.SIOCGIFMTU, ifName);
            AfPacketDevice device = NetNamespace.call(namespace, () -> AfPacketDevice.open(ifName, config));
            return new HostPort(name, ifName, namespace, device, socket, mac, mtu);
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

    /** The receive socket: readable when a slot (TPACKET_V2) or a block (V3) is handed over. */
    @Override
    public int rxFd() {
        return device.rxFd();
    }

    /**
     * One packet socket each way (packet(7)): the receive ring as configured, TPACKET_V2 slots or V3 blocks
     * (its size is then given in blocks), the transmit ring's slots or sendmmsg's batch. Frames the kernel
     * handed over with a partial checksum are completed here (TP_STATUS_CSUMNOTREADY), shown as an offload
     * the kernel left to us.
     */
    @Override
    public DeviceHardware hardware() {
        AfPacketConfig config = device.config();
        String host = ifName + (namespace != null ? " in netns " + namespace : "") + ", ifindex " + device.ifIndex()
                + ", rx " + (config.rxRing() == AfPacketConfig.RxRing.V2 ? "TPACKET_V2 slots" : "TPACKET_V3 blocks of "
                + config.rxBlockSize() + " bytes") + ", tx " + config.txMode().name().toLowerCase(java.util.Locale.ROOT);
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
        return new DeviceHardware("af_packet", host, 1, 1, rxRing, config.txFrames(),
                List.of("rx-csum-partial-completed"), counters);
    }

    public AfPacketDevice device() {
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

    /** The tx node keeps a record of each traced frame, as VPP's af_packet device does. */
    @Override
    public boolean tracesTx() {
        return true;
    }

    @Override
    public void traceTx(BufferPool pool, int bi, MemorySegment record, long offset) {
        AfPacketTxTrace.write(record, offset, swIfIndex(), device.config().txMode() == AfPacketConfig.TxMode.TX_RING,
                pool, bi);
    }

    @Override
    public void formatTxTrace(MemorySegment record, long offset, StringBuilder out) {
        AfPacketTxTrace.format(record, offset, out);
    }

    /** Sends every buffer and frees them all, sent or not; returns how many left. */
    @Override
    public int transmit(BufferPool pool, int[] buffers, int count) {
        int sent = closed ? 0 : device.transmit(pool, buffers, 0, count);
        pool.free(buffers, 0, count);
        return sent;
    }

    /** The netdev is the host's whatever the reason: only the sockets and rings close. */
    @Override
    public void close(boolean remove) {
        close();
    }

    /** Closes the sockets and the rings. Call only once no worker can reach this port. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        device.close();
        Libc.close(controlSocket);
    }
}
