package io.sluice.packet.api;

/**
 * An IPv4 prefix {@code a.b.c.d/len} as configuration and commands write it (RFC 4632, section 3.1). The
 * length is whatever the text said: {@link #lengthValid()} tells whether it is within 0..32, so each caller
 * words its own refusal.
 */
public record Ip4Prefix(int address, int length) {

    /**
     * Parses {@code a.b.c.d/len} (blanks around either part allowed); without {@code /len} the length is
     * {@code lengthIfAbsent}, or the text is refused when that is negative.
     *
     * @throws IllegalArgumentException when the text is no prefix
     */
    public static Ip4Prefix parse(String text, int lengthIfAbsent) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            if (lengthIfAbsent < 0) {
                throw new IllegalArgumentException("'" + text + "' is not a prefix (a.b.c.d/len)");
            }
            return new Ip4Prefix(PacketFormat.parseIp4(text.trim()), lengthIfAbsent);
        }
        int address = PacketFormat.parseIp4(text.substring(0, slash).trim());
        try {
            return new Ip4Prefix(address, Integer.parseInt(text.substring(slash + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a prefix (a.b.c.d/len)", e);
        }
    }

    /** Parses {@code a.b.c.d/len}; the length is required. */
    public static Ip4Prefix parse(String text) {
        return parse(text, -1);
    }

    public boolean lengthValid() {
        return length >= 0 && length <= 32;
    }

    /** The network mask of a valid length. */
    public int mask() {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    /** Bits set beyond the length (an interface address has them, a route must not). */
    public boolean hostBitsSet() {
        return (address & ~mask()) != 0;
    }

    /** The same length with the host bits cleared. */
    public Ip4Prefix network() {
        return new Ip4Prefix(address & mask(), length);
    }

    @Override
    public String toString() {
        return PacketFormat.formatIp4(address) + "/" + length;
    }
}
