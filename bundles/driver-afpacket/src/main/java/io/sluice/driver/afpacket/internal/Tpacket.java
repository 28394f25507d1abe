package io.sluice.driver.afpacket.internal;

/**
 * Ring layouts of AF_PACKET memory-mapped sockets (include/uapi/linux/if_packet.h,
 * Documentation/networking/packet_mmap.rst), x86-64.
 */
public final class Tpacket {

    // struct tpacket_req3 (PACKET_RX_RING with TPACKET_V3), 28 bytes
    public static final int REQ3_SIZE = 28;
    public static final int REQ3_BLOCK_SIZE = 0;
    public static final int REQ3_BLOCK_NR = 4;
    public static final int REQ3_FRAME_SIZE = 8;
    public static final int REQ3_FRAME_NR = 12;
    public static final int REQ3_RETIRE_BLK_TOV = 16; // milliseconds
    public static final int REQ3_SIZEOF_PRIV = 20;
    public static final int REQ3_FEATURE_REQ_WORD = 24;

    // struct tpacket_req (PACKET_TX_RING with TPACKET_V2), 16 bytes
    public static final int REQ_SIZE = 16;
    public static final int REQ_BLOCK_SIZE = 0;
    public static final int REQ_BLOCK_NR = 4;
    public static final int REQ_FRAME_SIZE = 8;
    public static final int REQ_FRAME_NR = 12;

    // struct tpacket_block_desc: version, offset_to_priv, then struct tpacket_hdr_v1
    public static final int BLOCK_STATUS = 8;          // u32, TP_STATUS_KERNEL or TP_STATUS_USER
    public static final int BLOCK_NUM_PKTS = 12;       // u32
    public static final int BLOCK_OFFSET_TO_FIRST = 16; // u32, from the block start

    // struct tpacket3_hdr, 48 bytes, then struct sockaddr_ll at TPACKET_ALIGN(48) = 48
    public static final int V3_SIZE = 48;
    public static final int V3_NEXT_OFFSET = 0;  // u32, from this header
    public static final int V3_SEC = 4;          // u32
    public static final int V3_NSEC = 8;         // u32
    public static final int V3_SNAPLEN = 12;     // u32
    public static final int V3_LEN = 16;         // u32
    public static final int V3_STATUS = 20;      // u32
    public static final int V3_MAC = 24;         // u16, from this header
    public static final int V3_NET = 26;         // u16, from this header
    public static final int V3_VLAN_TCI = 32;    // u32 (hv1)
    public static final int V3_VLAN_TPID = 36;   // u16 (hv1)
    public static final int V3_SLL_PKTTYPE = 48 + 10; // sockaddr_ll.sll_pkttype

    // struct tpacket2_hdr, 32 bytes; TX data starts at TPACKET2_HDRLEN - sizeof(sockaddr_ll) = 52 - 20
    public static final int V2_STATUS = 0;   // u32
    public static final int V2_LEN = 4;      // u32
    public static final int V2_SNAPLEN = 8;  // u32
    public static final int V2_MAC = 12;     // u16, from this header
    public static final int V2_NET = 14;     // u16, from this header
    public static final int V2_SEC = 16;     // u32
    public static final int V2_NSEC = 20;    // u32
    public static final int V2_VLAN_TCI = 24;  // u16
    public static final int V2_VLAN_TPID = 26; // u16
    public static final int V2_SLL_PKTTYPE = 32 + 10; // sockaddr_ll at TPACKET_ALIGN(32), its sll_pkttype
    public static final int V2_TX_DATA = 32;

    // tp_status bits, receive side
    public static final int TP_STATUS_KERNEL = 0;
    public static final int TP_STATUS_USER = 1;
    public static final int TP_STATUS_LOSING = 1 << 2;
    /** The sender left the TCP/UDP checksum to "hardware" (a veth, a local socket): only the pseudo-header sum is there. */
    public static final int TP_STATUS_CSUMNOTREADY = 1 << 3;
    public static final int TP_STATUS_VLAN_VALID = 1 << 4;
    public static final int TP_STATUS_VLAN_TPID_VALID = 1 << 6;
    // tp_status values, transmit side
    public static final int TP_STATUS_AVAILABLE = 0;
    public static final int TP_STATUS_SEND_REQUEST = 1;
    public static final int TP_STATUS_SENDING = 2;
    public static final int TP_STATUS_WRONG_FORMAT = 4;

    // struct tpacket_stats_v3 (PACKET_STATISTICS): tp_packets, tp_drops, tp_freeze_q_cnt; reset on read
    public static final int STATS_V3_SIZE = 12;
    public static final int STATS_PACKETS = 0;
    public static final int STATS_DROPS = 4;
    // struct tpacket_stats (PACKET_STATISTICS on a V2 socket)
    public static final int STATS_SIZE = 8;

    private Tpacket() {
    }
}
