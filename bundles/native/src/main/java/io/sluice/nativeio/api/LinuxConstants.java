package io.sluice.nativeio.api;

/**
 * Numeric constants of the Linux x86-64 ABI that the drivers pass to libc, grouped by the header they come
 * from. Ring layouts (tpacket headers, virtio_net_hdr) belong to the driver that reads them, not here.
 */
public final class LinuxConstants {

    // <fcntl.h>, asm-generic/fcntl.h
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;
    /** eventfd(2) flags, the same bits as O_NONBLOCK and O_CLOEXEC (include/uapi/linux/eventfd.h). */
    public static final int EFD_NONBLOCK = O_NONBLOCK;
    public static final int EFD_CLOEXEC = O_CLOEXEC;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;

    // <poll.h>: struct pollfd { int fd; short events; short revents; }, 8 bytes
    public static final int POLLIN = 0x001;
    public static final int POLLPRI = 0x002;
    public static final int POLLOUT = 0x004;
    public static final int POLLERR = 0x008;
    public static final int POLLHUP = 0x010;
    public static final int POLLNVAL = 0x020;
    public static final int POLLFD_SIZE = 8;
    public static final int POLLFD_FD = 0;
    public static final int POLLFD_EVENTS = 4;
    public static final int POLLFD_REVENTS = 6;

    // <sys/mman.h>
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_LOCKED = 0x2000;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MADV_RANDOM = 1;
    public static final int MADV_DONTNEED = 4;

    // <sys/socket.h>, <bits/socket_type.h>
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_PACKET = 17;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_NONBLOCK = 04000;
    public static final int SOCK_CLOEXEC = 02000000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_BUSY_POLL = 46;
    public static final int MSG_DONTWAIT = 0x40;
    // struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; }: 64 bytes with padding
    public static final int MMSGHDR_SIZE = 64;
    public static final int MSG_NAME = 0;        // void *
    public static final int MSG_NAMELEN = 8;     // socklen_t
    public static final int MSG_IOV = 16;        // struct iovec *
    public static final int MSG_IOVLEN = 24;     // size_t
    public static final int MSG_CONTROL = 32;    // void *
    public static final int MSG_CONTROLLEN = 40; // size_t
    public static final int MSG_FLAGS = 48;      // int
    public static final int MMSG_LEN = 56;       // unsigned int, bytes sent
    // <sys/uio.h>: struct iovec { void *iov_base; size_t iov_len; }
    public static final int IOVEC_SIZE = 16;
    public static final int IOV_BASE = 0;
    public static final int IOV_LEN = 8;

    // <linux/if_ether.h>: protocol numbers, host order (the socket calls want them big-endian)
    public static final int ETH_P_ALL = 0x0003;
    public static final int ETH_P_IP = 0x0800;
    public static final int ETH_P_ARP = 0x0806;
    public static final int ETH_ALEN = 6;

    // <linux/if_packet.h>: AF_PACKET socket options at level SOL_PACKET
    public static final int SOL_PACKET = 263;
    public static final int PACKET_ADD_MEMBERSHIP = 1;
    public static final int PACKET_DROP_MEMBERSHIP = 2;
    public static final int PACKET_RX_RING = 5;
    public static final int PACKET_STATISTICS = 6;
    public static final int PACKET_VERSION = 10;
    public static final int PACKET_HDRLEN = 11;
    public static final int PACKET_RESERVE = 12;
    public static final int PACKET_TX_RING = 13;
    public static final int PACKET_LOSS = 14;
    public static final int PACKET_QDISC_BYPASS = 20;
    public static final int PACKET_FANOUT = 18;
    public static final int PACKET_FANOUT_DATA = 22;
    public static final int PACKET_IGNORE_OUTGOING = 23;
    public static final int PACKET_MR_PROMISC = 1;
    public static final int TPACKET_V1 = 0;
    public static final int TPACKET_V2 = 1;
    public static final int TPACKET_V3 = 2;
    // sockaddr_ll.sll_pkttype
    public static final int PACKET_HOST = 0;
    public static final int PACKET_BROADCAST = 1;
    public static final int PACKET_MULTICAST = 2;
    public static final int PACKET_OTHERHOST = 3;
    public static final int PACKET_OUTGOING = 4;
    // struct sockaddr_ll, 20 bytes
    public static final int SOCKADDR_LL_SIZE = 20;
    public static final int SLL_FAMILY = 0;    // u16
    public static final int SLL_PROTOCOL = 2;  // u16, big-endian
    public static final int SLL_IFINDEX = 4;   // int
    public static final int SLL_HATYPE = 8;    // u16
    public static final int SLL_PKTTYPE = 10;  // u8
    public static final int SLL_HALEN = 11;    // u8
    public static final int SLL_ADDR = 12;     // u8[8]
    // struct packet_mreq, 16 bytes: mr_ifindex int, mr_type u16, mr_alen u16, mr_address u8[8]
    public static final int PACKET_MREQ_SIZE = 16;

    // <net/if.h>, <linux/sockios.h>: struct ifreq is 40 bytes, ifr_name[16] then a union at 16
    public static final int IFNAMSIZ = 16;
    public static final int IFREQ_SIZE = 40;
    public static final int IFREQ_UNION = 16;
    public static final long SIOCGIFFLAGS = 0x8913;
    public static final long SIOCSIFFLAGS = 0x8914;
    public static final long SIOCGIFMTU = 0x8921;
    public static final long SIOCGIFHWADDR = 0x8927;
    public static final long SIOCGIFINDEX = 0x8933;
    public static final int IFF_UP = 0x1;
    public static final int IFF_PROMISC = 0x100;

    // <linux/if_tun.h>
    public static final long TUNSETIFF = 0x400454caL;
    /** _IOW('T', 203, int): a persistent TAP outlives the descriptors attached to it. */
    public static final long TUNSETPERSIST = 0x400454cbL;
    public static final long TUNGETFEATURES = 0x800454cfL;
    public static final long TUNSETOFFLOAD = 0x400454d0L;
    public static final long TUNGETVNETHDRSZ = 0x800454d7L;
    public static final long TUNSETVNETHDRSZ = 0x400454d8L;
    public static final int IFF_TUN = 0x0001;
    public static final int IFF_TAP = 0x0002;
    public static final int IFF_NO_PI = 0x1000;
    public static final int IFF_VNET_HDR = 0x4000;
    public static final int IFF_MULTI_QUEUE = 0x0100;
    public static final int TUN_F_CSUM = 0x01;
    public static final int TUN_F_TSO4 = 0x02;
    public static final int TUN_F_TSO6 = 0x04;
    public static final int TUN_F_TSO_ECN = 0x08;
    public static final int TUN_F_UFO = 0x10;

    // <sched.h>
    public static final int CLONE_NEWNET = 0x40000000;

    private LinuxConstants() {
    }

    /** The macro name of an ioctl request this class knows, or its hex value: for error messages. */
    public static String ioctlName(long request) {
        if (request == TUNSETIFF) {
            return "TUNSETIFF";
        } else if (request == TUNSETPERSIST) {
            return "TUNSETPERSIST";
        } else if (request == TUNGETFEATURES) {
            return "TUNGETFEATURES";
        } else if (request == TUNSETOFFLOAD) {
            return "TUNSETOFFLOAD";
        } else if (request == TUNGETVNETHDRSZ) {
            return "TUNGETVNETHDRSZ";
        } else if (request == TUNSETVNETHDRSZ) {
            return "TUNSETVNETHDRSZ";
        } else if (request == SIOCGIFFLAGS) {
            return "SIOCGIFFLAGS";
        } else if (request == SIOCSIFFLAGS) {
            return "SIOCSIFFLAGS";
        } else if (request == SIOCGIFMTU) {
            return "SIOCGIFMTU";
        } else if (request == SIOCGIFHWADDR) {
            return "SIOCGIFHWADDR";
        } else if (request == SIOCGIFINDEX) {
            return "SIOCGIFINDEX";
        }
        return "0x" + Long.toHexString(request);
    }
}
