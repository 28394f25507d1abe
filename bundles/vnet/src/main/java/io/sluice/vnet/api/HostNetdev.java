package io.sluice.vnet.api;

import io.sluice.nativeio.api.Libc;
import io.sluice.nativeio.api.LinuxConstants;
import io.sluice.nativeio.api.NativeException;
import io.sluice.nativeio.api.NetNamespace;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The Linux netdev under a host-interface port (AF_PACKET, AF_XDP): what every such port does with it the
 * same way, through a control socket created in the netdev's namespace (netdevice(7): its ioctls act there).
 * On opening, a configured MAC is first written with SIOCSIFHWADDR, so that the kernel's view and the box's
 * rewrite source agree; the netdev is set up (IFF_UP: a netdev that is down delivers nothing to a packet
 * socket and runs no XDP program); then MAC and MTU are read with SIOCGIFHWADDR and SIOCGIFMTU. Link state is
 * IFF_UP and IFF_RUNNING, read with SIOCGIFFLAGS. The netdev is the host's: closing closes only the socket.
 * SPI for drivers; control plane only.
 */
public final class HostNetdev {

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
    private final int controlSocket;
    private final long mac;
    private final int mtu;
    private volatile boolean closed;

    private HostNetdev(String ifName, String namespace, int controlSocket, long mac, int mtu) {
        this.ifName = ifName;
        this.namespace = namespace;
        this.controlSocket = controlSocket;
        this.mac = mac;
        this.mtu = mtu;
    }

    /**
     * Sets netdev {@code ifName} (in {@code namespace}, or the box's own when null) up, after writing
     * {@code macOverride} to it unless negative, and reads its MAC and MTU. Nothing is left open on failure.
     */
    public static HostNetdev open(String ifName, String namespace, long macOverride) {
        int socket = NetNamespace.controlSocket(namespace);
        try {
            if (macOverride >= 0) {
                setMac(socket, ifName, macOverride);
            }
            setUp(socket, ifName);
            long mac = readMac(socket, ifName);
            int mtu = readInt(socket, LinuxConstants.SIOCGIFMTU, ifName);
            return new HostNetdev(ifName, namespace, socket, mac, mtu);
        } catch (RuntimeException e) {
            Libc.close(socket);
            throw e;
        }
    }

    public String ifName() {
        return ifName;
    }

    /** The network namespace the netdev lives in, or null for the box's own. */
    public String namespace() {
        return namespace;
    }

    public long mac() {
        return mac;
    }

    public int mtu() {
        return mtu;
    }

    /** The netdev as interface:hardware names it: {@code <ifname>[ in netns <namespace>]}. */
    public String describe() {
        return ifName + (namespace != null ? " in netns " + namespace : "");
    }

    /** A control-plane call (one ioctl): true while the netdev is UP and has carrier (RUNNING). */
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

    /** Closes the control socket; the netdev stays as it is. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.close(controlSocket);
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
}
