package io.sluice.driver.afpacket.internal;

import io.sluice.packet.api.PortBlocks;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The classic BPF program (linux/filter.h, Documentation/networking/filter.rst) a PACKET_FANOUT_CBPF group runs per
 * frame to choose its queue: the NAT44 worker that owns the frame's destination port ({@link PortBlocks#owner}), so
 * that a reply to a translated flow arrives on that worker's queue. For IPv4 TCP and UDP the destination port, for
 * ICMP echo and echo reply the identifier (the NAT's port for ICMP); queue 0 for anything else: not IPv4, any
 * fragment (MF set or an offset: a datagram's fragments must meet on one worker to be reassembled, and a later one
 * has no port), ICMP errors, other protocols. Steering only saves a handoff: the out2in handoff node still checks
 * every packet's owner, so a frame steered wrong (a static mapping, an ICMP error) is handed to its owner as before.
 *
 * <p>Loads are relative to the network header (SKF_NET_OFF), whatever the frame's link layer.
 */
final class PortBlockSteering {

    // linux/bpf_common.h, linux/filter.h
    private static final int LD = 0x00;
    private static final int LDX = 0x01;
    private static final int ALU = 0x04;
    private static final int JMP = 0x05;
    private static final int RET = 0x06;
    private static final int H = 0x08;
    private static final int B = 0x10;
    private static final int ABS = 0x20;
    private static final int IND = 0x40;
    private static final int MSH = 0xa0;
    private static final int SUB = 0x10;
    private static final int DIV = 0x30;
    private static final int JA = 0x00;
    private static final int JEQ = 0x10;
    private static final int JGE = 0x30;
    private static final int JSET = 0x40;
    private static final int RET_A = 0x10;
    private static final int SKF_AD_OFF = -0x1000;
    private static final int SKF_AD_PROTOCOL = 0;
    private static final int SKF_NET_OFF = -0x100000;

    private static final int ETH_P_IP = 0x0800;
    /** RFC 791: the MF flag and the fragment offset of the flags-and-offset word. */
    private static final int MORE_FRAGMENTS_OR_OFFSET = 0x3fff;
    private static final int ICMP_ECHO_REPLY = 0;
    private static final int ICMP_ECHO = 8;

    /** struct sock_filter: u16 code, u8 jt, u8 jf, u32 k. */
    static final int INSTRUCTION_SIZE = 8;
    /** struct sock_fprog: unsigned short len, then (aligned) the instructions' address. */
    private static final int FPROG_SIZE = 16;

    private PortBlockSteering() {
    }

    /** The program's instructions, each {code, jt, jf, k}, for {@code blocks}. */
    static int[][] instructions(PortBlocks blocks) {
        return new int[][] {
            /* 0 */ {LD | H | ABS, 0, 0, SKF_AD_OFF + SKF_AD_PROTOCOL},
            /* 1 */ {JMP | JEQ, 0, 18, ETH_P_IP},                        // not IPv4: 20
            /* 2 */ {LD | H | ABS, 0, 0, SKF_NET_OFF + 6},              // flags and fragment offset
            /* 3 */ {JMP | JSET, 16, 0, MORE_FRAGMENTS_OR_OFFSET},      // a fragment: 20
            /* 4 */ {LDX | B | MSH, 0, 0, SKF_NET_OFF},                 // X = IHL * 4
            /* 5 */ {LD | B | ABS, 0, 0, SKF_NET_OFF + 9},              // protocol
            /* 6 */ {JMP | JEQ, 7, 0, 6},                               // TCP: 14
            /* 7 */ {JMP | JEQ, 6, 0, 17},                              // UDP: 14
            /* 8 */ {JMP | JEQ, 0, 11, 1},                              // not ICMP: 20
            /* 9 */ {LD | B | IND, 0, 0, SKF_NET_OFF},                  // ICMP type
            /* 10 */ {JMP | JEQ, 1, 0, ICMP_ECHO_REPLY},                // 12
            /* 11 */ {JMP | JEQ, 0, 8, ICMP_ECHO},                      // an error or other: 20
            /* 12 */ {LD | H | IND, 0, 0, SKF_NET_OFF + 4},             // the echo identifier
            /* 13 */ {JMP | JA, 0, 0, 1},                               // 15
            /* 14 */ {LD | H | IND, 0, 0, SKF_NET_OFF + 2},             // the destination port
            /* 15 */ {JMP | JGE, 0, 4, PortBlocks.FIRST_PORT},          // below the range: 20
            /* 16 */ {ALU | SUB, 0, 0, PortBlocks.FIRST_PORT},
            /* 17 */ {ALU | DIV, 0, 0, blocks.perWorker()},
            /* 18 */ {JMP | JGE, 1, 0, blocks.workers()},               // the split's remainder: 20
            /* 19 */ {RET | RET_A, 0, 0, 0},
            /* 20 */ {RET, 0, 0, 0},
        };
    }

    /** The program as a struct sock_fprog in {@code arena}, its instructions after it, for PACKET_FANOUT_DATA. */
    static MemorySegment program(PortBlocks blocks, Arena arena) {
        int[][] instructions = instructions(blocks);
        MemorySegment filter = arena.allocate((long) instructions.length * INSTRUCTION_SIZE, 8);
        for (int i = 0; i < instructions.length; i++) {
            long at = (long) i * INSTRUCTION_SIZE;
            filter.set(ValueLayout.JAVA_SHORT, at, (short) instructions[i][0]);
            filter.set(ValueLayout.JAVA_BYTE, at + 2, (byte) instructions[i][1]);
            filter.set(ValueLayout.JAVA_BYTE, at + 3, (byte) instructions[i][2]);
            filter.set(ValueLayout.JAVA_INT, at + 4, instructions[i][3]);
        }
        MemorySegment fprog = arena.allocate(FPROG_SIZE, 8);
        fprog.set(ValueLayout.JAVA_SHORT, 0, (short) instructions.length);
        fprog.set(ValueLayout.ADDRESS, 8, filter);
        return fprog;
    }
}
