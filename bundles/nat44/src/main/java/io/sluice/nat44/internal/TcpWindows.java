package io.sluice.nat44.internal;

import io.sluice.common.state.ZeroPages;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.Tcp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * What a session's inside host last said it will accept, so that a RST or a FIN from outside moves the session's
 * state only with evidence (RFC 5961's idea): its sequence number must lie in the window the inside host
 * advertised. One long per session, next to the session records, in anonymous off-heap memory:
 *
 * <pre>
 *  63            32 31         16 15     8 7       0
 * +----------------+-------------+--------+---------+
 * | inside's ACK   | its window  | wscale | LEARNED |
 * +----------------+-------------+--------+---------+
 * </pre>
 *
 * <p>Learned from every TCP segment the inside host sends through the NAT (the ACK number is RCV.NXT, the next
 * byte it expects from outside; the window field is RCV.WND before scaling), and the shift from its SYN's window
 * scale option (RFC 7323 section 2). A RST or FIN from outside is in the window when its sequence number is within
 * the scaled window of that ACK, either side: above it, for data the outside has sent that the ACK has not
 * covered yet (RFC 5961 section 3.2: RCV.NXT <= SEG.SEQ < RCV.NXT + RCV.WND); below it, for a RST answering an
 * older segment of the inside host (RFC 9293 3.10.7.1: its SEQ is that segment's ACK). The window is never taken
 * as less than {@link #MIN_WINDOW}. A blind attacker who knows the 4-tuple guesses a sequence number in it with a
 * chance of about 2 * window / 2^32 per packet.
 *
 * <p>One store per learned segment, one load per checked one: the long is written whole, so a reader on another
 * worker sees an old or a new value, never half of each. The memory is not in the session file: after a restart
 * the window is unknown until the inside host sends again, and until then a RST or FIN from outside is refused
 * (no evidence; the inside host's next segment brings it).
 */
final class TcpWindows implements AutoCloseable {
    /** A window below 64 KiB is taken as 64 KiB: the unscaled maximum, what any connection may have in flight. */
    static final long MIN_WINDOW = 0xffff;
    /** RFC 7323 section 2.3: a shift count above 14 is used as 14. */
    static final int MAX_SHIFT = 14;

    private static final long LEARNED = 1;
    private static final int OPTION_END = 0;
    private static final int OPTION_NOP = 1;
    private static final int OPTION_WINDOW_SCALE = 3;
    private static final VarHandle LONG_HANDLE = ValueLayout.JAVA_LONG.varHandle();

    private final Arena arena = Arena.ofShared();
    private final MemorySegment entries;

    TcpWindows(int capacity) {
        entries = ZeroPages.allocate(arena, (long) capacity * Long.BYTES);
    }

    /** A new session knows nothing yet. */
    void forget(int session) {
        LONG_HANDLE.setRelease(entries, (long) session * Long.BYTES, 0L);
    }

    /** Records what the inside host's segment at {@code tcp} (in the IPv4 packet at {@code ip}) says it accepts. */
    void learnInside(int session, MemorySegment seg, long ip, long tcp) {
        long at = (long) session * Long.BYTES;
        long entry = (long) LONG_HANDLE.getOpaque(entries, at);
        int flags = Tcp.flags(seg, tcp);
        int shift = (int) (entry >>> 8) & 0xff;
        if ((flags & Tcp.FLAG_SYN) != 0) {
            shift = windowScale(seg, tcp, ip + Ipv4.totalLength(seg, ip));
        }
        if ((flags & Tcp.FLAG_ACK) == 0) {
            // A bare SYN acknowledges nothing yet: keep only the shift it announced.
            LONG_HANDLE.setOpaque(entries, at, (entry & ~0xff00L) | (long) shift << 8);
            return;
        }
        long next = (Tcp.ack(seg, tcp) & 0xffffffffL) << 32 | (long) Tcp.window(seg, tcp) << 16 | (long) shift << 8
                | LEARNED;
        LONG_HANDLE.setOpaque(entries, at, next);
    }

    /** True when {@code seq}, from outside, lies in the window the inside host last advertised. */
    boolean inWindow(int session, int seq) {
        long entry = (long) LONG_HANDLE.getOpaque(entries, (long) session * Long.BYTES);
        if ((entry & LEARNED) == 0) {
            return false;
        }
        int ack = (int) (entry >>> 32);
        long window = Math.max(MIN_WINDOW, ((entry >>> 16) & 0xffff) << Math.min(MAX_SHIFT, (int) (entry >>> 8) & 0xff));
        long distance = Math.abs((long) (seq - ack));
        return distance <= window;
    }

    /**
     * The window scale option's shift (RFC 7323 section 2.2: kind 3, length 3) in the options of the SYN at
     * {@code tcp}, or 0; options are read no further than the header's length and the packet's end.
     */
    static int windowScale(MemorySegment seg, long tcp, long packetEnd) {
        long end = Math.min(tcp + Tcp.headerLength(seg, tcp), packetEnd);
        long at = tcp + Tcp.MIN_HEADER_LENGTH;
        while (at < end) {
            int kind = seg.get(ValueLayout.JAVA_BYTE, at) & 0xff;
            if (kind == OPTION_END) {
                return 0;
            }
            if (kind == OPTION_NOP) {
                at++;
                continue;
            }
            if (at + 1 >= end) {
                return 0;
            }
            int length = seg.get(ValueLayout.JAVA_BYTE, at + 1) & 0xff;
            if (length < 2 || at + length > end) {
                return 0;
            }
            if (kind == OPTION_WINDOW_SCALE && length == 3) {
                return Math.min(MAX_SHIFT, seg.get(ValueLayout.JAVA_BYTE, at + 2) & 0xff);
            }
            at += length;
        }
        return 0;
    }

    long memoryBytes() {
        return entries.byteSize();
    }

    @Override
    public void close() {
        arena.close();
    }
}
