package io.sluice.driver.afpacket.api;

/**
 * Ring sizes and the transmit path of one host port's AF_PACKET socket (a TPACKET_V3 receive ring, packet(7)).
 *
 * @param rxBlockSize         bytes per TPACKET_V3 receive block, a multiple of the page size
 * @param rxBlockCount        receive blocks in the ring
 * @param rxBlockTimeoutMillis a partly filled block goes to user space after this long (retire_blk_tov):
 *                            it bounds the latency a quiet link adds
 * @param txFrames            2 KiB slots of the TPACKET_V2 transmit ring, or messages per sendmmsg call
 * @param txMode              how frames leave
 * @param rxRing              the receive ring's layout: per-frame slots (TPACKET_V2) or blocks (TPACKET_V3)
 */
public record AfPacketConfig(int rxBlockSize, int rxBlockCount, int rxBlockTimeoutMillis, int txFrames,
                             TxMode txMode, RxRing rxRing) {

    /**
     * The two receive ring layouts (Documentation/networking/packet_mmap.rst). V3 hands a block over only
     * when it is full or when retire_blk_tov expires (at least 1 ms, rounded up to a jiffy: 4 ms at HZ=250),
     * so on a quiet link every frame waits for the timer. V2 hands each frame over as it is written and wakes
     * a poll(2) on the socket per frame, which is what a latency-bound box needs.
     */
    public enum RxRing {
        /** Fixed 2 KiB frame slots, each handed over at once (tpacket2_hdr). */
        V2,
        /** Variable frames packed into blocks, handed over per block (tpacket3_hdr, tpacket_block_desc). */
        V3
    }

    /** The given ring sizes with a TPACKET_V3 receive ring (the layout its block sizes and timeout describe). */
    public AfPacketConfig(int rxBlockSize, int rxBlockCount, int rxBlockTimeoutMillis, int txFrames, TxMode txMode) {
        this(rxBlockSize, rxBlockCount, rxBlockTimeoutMillis, txFrames, txMode, RxRing.V3);
    }

    /** The two batching transmit paths of AF_PACKET. */
    public enum TxMode {
        /** Frames copied into a PACKET_TX_RING (TPACKET_V2), one sendto(2) per batch to flush them. */
        TX_RING,
        /** Frames sent straight from the pool's buffers, one sendmmsg(2) per batch (the kernel copies). */
        SENDMMSG
    }

    private static final int PAGE_SIZE = 4096;

    public AfPacketConfig {
        if (rxBlockSize <= 0 || rxBlockSize % PAGE_SIZE != 0) {
            throw new IllegalArgumentException("rxBlockSize must be a positive multiple of 4096: " + rxBlockSize);
        }
        if (rxBlockCount <= 0 || rxBlockTimeoutMillis <= 0 || txFrames <= 0) {
            throw new IllegalArgumentException("block count, block timeout and tx frames must be positive");
        }
        if (rxRing == null || txMode == null) {
            throw new IllegalArgumentException("rx ring and tx mode must be given");
        }
        if (txMode == TxMode.TX_RING && txFrames % 32 != 0) {
            throw new IllegalArgumentException("txFrames must be a multiple of 32 (64 KiB blocks): " + txFrames);
        }
    }

    /**
     * A TPACKET_V2 receive ring of 4 MiB (2048 slots; the 1 ms block timeout only applies to V3): on the lab's
     * veth a V3 ring added its block timeout to every quiet frame, about 1 ms per AF_PACKET hop. 32 blocks of
     * 128 KiB with a 1 ms timeout when V3 is chosen; sendmmsg of up to 1024 frames a call. On a veth
     * pair here the two transmit paths measured within noise of each other (0.4-0.65 M frames/s both);
     * sendmmsg came out ahead at 64 B in five runs of six, and it sends from the pool's buffers without a
     * copy of ours or a ring to map, so it is the default. TX_RING stays selectable for NICs where the
     * kernel can transmit from the ring's pages.
     */
    public static AfPacketConfig defaults() {
        return new AfPacketConfig(128 * 1024, 32, 1, 1024, TxMode.SENDMMSG, RxRing.V2);
    }

    public AfPacketConfig withTxMode(TxMode mode) {
        return new AfPacketConfig(rxBlockSize, rxBlockCount, rxBlockTimeoutMillis, txFrames, mode, rxRing);
    }

    public AfPacketConfig withRxRing(RxRing ring) {
        return new AfPacketConfig(rxBlockSize, rxBlockCount, rxBlockTimeoutMillis, txFrames, txMode, ring);
    }
}
