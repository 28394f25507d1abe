package io.sluice.nat44.internal;

import io.sluice.packet.api.Tcp;

/**
 * TCP state of a NAT session, as bits of what each side has sent, and the timeout it earns: established
 * (both SYNs seen, no FIN or RST) keeps the long timeout; anything else (opening, closing, reset) the
 * transitory one (RFC 5382 REQ-5: at least 2 h 4 min established, 4 min transitory). Under endpoint-
 * independent mapping several connections may share a session: a SYN on a closed session starts over.
 */
final class TcpTracker {
    static final int SYN_IN = 1;
    static final int SYN_OUT = 2;
    static final int FIN_IN = 4;
    static final int FIN_OUT = 8;
    static final int RST = 16;

    private static final int BOTH_SYN = SYN_IN | SYN_OUT;
    private static final int CLOSING = FIN_IN | FIN_OUT | RST;

    private TcpTracker() {
    }

    /** The state after a segment with {@code flags} passes in2out ({@code in2out}) or out2in. */
    static int next(int state, int flags, boolean in2out) {
        if ((flags & Tcp.FLAG_SYN) != 0 && (flags & Tcp.FLAG_ACK) == 0 && (state & CLOSING) != 0) {
            state = 0;
        }
        if ((flags & Tcp.FLAG_RST) != 0) {
            state |= RST;
        }
        if ((flags & Tcp.FLAG_SYN) != 0) {
            state |= in2out ? SYN_IN : SYN_OUT;
        }
        if ((flags & Tcp.FLAG_FIN) != 0) {
            state |= in2out ? FIN_IN : FIN_OUT;
        }
        return state;
    }

    /**
     * True when a segment from outside with {@code flags} would move a session in {@code state} (past its handshake,
     * SYNs seen both ways) towards its end, RST or FIN, and so needs evidence: a sequence number in the window
     * (RFC 5961; {@link TcpWindows}).
     */
    static boolean needsEvidence(int state, int flags) {
        return (flags & (Tcp.FLAG_RST | Tcp.FLAG_FIN)) != 0 && (state & BOTH_SYN) == BOTH_SYN;
    }

    static boolean established(int state) {
        return (state & BOTH_SYN) == BOTH_SYN && (state & CLOSING) == 0;
    }

    static String name(int state) {
        if ((state & RST) != 0) {
            return "reset";
        }
        if ((state & (FIN_IN | FIN_OUT)) == (FIN_IN | FIN_OUT)) {
            return "closed";
        }
        if ((state & (FIN_IN | FIN_OUT)) != 0) {
            return "closing";
        }
        if (established(state)) {
            return "established";
        }
        return (state & SYN_IN) != 0 ? "syn-sent" : (state & SYN_OUT) != 0 ? "syn-received" : "transitory";
    }
}
