package io.sluice.driver.tap.internal;

import io.sluice.driver.tap.api.PodSide;
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
 * One pod port as vnet sees it: the {@link TapDevice} behind interface {@code tapN}, its box-side MAC and
 * MTU, its link state, and the sw_if_index the interface table gave it. {@code virtio-input} polls its
 * device; {@code tapN-tx} calls {@link #transmit}, which frees every buffer as vnet's Device contract asks.
 *
 * <p>Link state is the kernel side's: IFF_UP and IFF_RUNNING (include/uapi/linux/if.h) of the pod's
 * interface, read with SIOCGIFFLAGS through a socket created in the pod's namespace. The TAP's carrier is on
 * while our descriptor is open, so RUNNING falls only when the descriptor closes; UP falls when the pod
 * (or an operator in its namespace) sets the link down.
 */
public final class TapPort extends AbstractPort {

    /** include/uapi/linux/if.h: the driver signals its link (carrier) is on. */
    static final int IFF_RUNNING = 0x40;

    private final TapDevice tap;
    private final String kernelNamespace;
    private final String kernelIfName;
    private final int controlSocket;
    private volatile boolean closed;
    /** A pod's TAP is persistent: the pod keeps its interface while this driver is updated or restarted. */
    private final boolean persistent;
    private static final System.Logger LOG = System.getLogger(TapPort.class.getName());

    private TapPort(String name, TapDevice tap, long mac, int mtu, String kernelNamespace, String kernelIfName,
                    int controlSocket, boolean persistent) {
        super(name, mac, mtu);
        this.persistent = persistent;
        this.tap = tap;
        this.kernelNamespace = kernelNamespace;
        this.kernelIfName = kernelIfName;
        this.controlSocket = controlSocket;
    }

    /**
     * Creates the TAP {@code tapName} for interface {@code name} and sets up its kernel side: moved into the
     * pod's namespace and configured there when {@code pod} is given, otherwise brought up where it is.
     * On any failure nothing is left behind.
     */
    public static TapPort open(String name, String tapName, long mac, int mtu, boolean checksumOffload,
                               PodSide pod) {
        String namespace = pod != null ? pod.namespace() : null;
        boolean kept = pod != null && interfaceExists(namespace, pod.ifName());
        TapDevice tap = kept
                ? NetNamespace.call(namespace, () -> TapDevice.create(pod.ifName(), checksumOffload))
                : TapDevice.create(tapName, checksumOffload);
        int socket = -1;
        try {
            if (kept) {
                // The pod's interface outlived the previous descriptor (a bundle update, a restart of the box):
                // its addresses and routes are still there, only the carrier comes back.
                LOG.log(System.Logger.Level.INFO, name + ": attached to the pod's interface " + pod.ifName()
                        + " in " + namespace + ", kept across the driver's restart");
            } else if (pod != null) {
                tap.configureInNamespace(pod);
            } else {
                tap.setUpInCurrentNamespace();
            }
            if (pod != null) {
                tap.setPersistent(true);
            }
            socket = NetNamespace.controlSocket(namespace);
            return new TapPort(name, tap, mac, mtu, namespace, pod != null ? pod.ifName() : tapName, socket,
                    pod != null);
        } catch (RuntimeException e) {
            if (socket >= 0) {
                Libc.close(socket);
            }
            tap.close();
            throw e;
        }
    }

    /** The TAP's fd: readable when the kernel queued a frame for the box. */
    @Override
    public int rxFd() {
        return tap.fd();
    }

    public TapDevice tap() {
        return tap;
    }

    /** Where the kernel side lives (null: the box's own namespace) and its name there. */
    public String kernelNamespace() {
        return kernelNamespace;
    }

    public String kernelIfName() {
        return kernelIfName;
    }

    /** A control-plane call (one ioctl): true while the kernel side is UP and RUNNING. */
    @Override
    public boolean linkUp() {
        if (closed) {
            return false;
        }
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment ifreq = scratch.allocate(LinuxConstants.IFREQ_SIZE);
            ifreq.setString(0, kernelIfName);
            Libc.ioctl(controlSocket, LinuxConstants.SIOCGIFFLAGS, ifreq, '"' + kernelIfName + '"');
            int flags = ifreq.get(ValueLayout.JAVA_SHORT, LinuxConstants.IFREQ_UNION) & 0xffff;
            return (flags & LinuxConstants.IFF_UP) != 0 && (flags & IFF_RUNNING) != 0;
        } catch (NativeException e) {
            return false; // ENODEV: the kernel side is gone
        }
    }

    /**
     * One queue each way and no descriptor ring: a TAP is read and written a frame per read(2)/write(2). The
     * only offload is the checksum one the TAP was opened with (TUNSETOFFLOAD TUN_F_CSUM, include/uapi/linux/if_tun.h).
     */
    @Override
    public DeviceHardware hardware() {
        String host = kernelIfName + (kernelNamespace != null ? " in netns " + kernelNamespace : "");
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("rx packets", tap.rxPackets());
        counters.put("rx bytes", tap.rxBytes());
        counters.put("rx errors", tap.rxErrors());
        counters.put("rx runts", tap.rxRunts());
        counters.put("rx checksums completed", tap.rxChecksumsCompleted());
        counters.put("tx packets", tap.txPackets());
        counters.put("tx bytes", tap.txBytes());
        counters.put("tx errors", tap.txErrors());
        return new DeviceHardware("tap", host, 1, 1, 0, 0,
                tap.checksumOffload() ? List.of("tun-csum") : List.of(), counters);
    }

    /** Writes every buffer to the TAP and frees them all, sent or not; returns how many were written. */
    @Override
    public int transmit(BufferPool pool, int[] buffers, int count) {
        int sent = closed ? 0 : tap.transmit(pool, buffers, 0, count);
        pool.free(buffers, 0, count);
        return sent;
    }

    /** Closes the descriptor and removes the TAP, with the pod's interface, its addresses and routes. */
    public void close() {
        close(true);
    }

    /**
     * Closes the descriptor. {@code remove}: the TAP goes, and with it the pod's interface (its configuration was
     * deleted). Otherwise a pod's persistent TAP stays, link down, for the next instance of this driver to attach
     * to. Call only once no worker can reach this port (after the barrier that detached it).
     */
    @Override
    public void close(boolean remove) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (persistent && remove) {
                tap.setPersistent(false);
            }
        } catch (NativeException e) {
            LOG.log(System.Logger.Level.WARNING, name() + ": " + e.getMessage() + "; the pod's interface may remain");
        } finally {
            Libc.close(controlSocket);
            tap.close();
        }
    }

    /** Is there an interface {@code ifName} in {@code namespace}? One ioctl through a socket made there. */
    private static boolean interfaceExists(String namespace, String ifName) {
        int socket = NetNamespace.controlSocket(namespace);
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment ifreq = scratch.allocate(LinuxConstants.IFREQ_SIZE);
            ifreq.setString(0, ifName);
            Libc.ioctl(socket, LinuxConstants.SIOCGIFFLAGS, ifreq, '"' + ifName + '"');
            return true;
        } catch (NativeException e) {
            return false; // ENODEV
        } finally {
            Libc.close(socket);
        }
    }
}
