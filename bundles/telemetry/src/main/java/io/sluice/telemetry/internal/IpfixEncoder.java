package io.sluice.telemetry.internal;

import io.sluice.nat44.api.Nat44Event;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes NAT44 events as IPFIX messages (RFC 7011) with RFC 8158's NAT logging templates. Everything is in network
 * byte order (RFC 7011 section 3, "big-endian").
 *
 * <pre>
 *  Message header (RFC 7011 section 3.1), 16 bytes:
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |       Version = 0x000a        |     Length (whole message)    |
 *  +-------------------------------+-------------------------------+
 *  |                  Export Time (seconds since 1970)             |
 *  +---------------------------------------------------------------+
 *  |   Sequence Number (data records sent before this message)    |
 *  +---------------------------------------------------------------+
 *  |                   Observation Domain ID                       |
 *  +---------------------------------------------------------------+
 *  Set header (section 3.3.2): Set ID (2 = template set, >= 256 = data set of that template) | Length (set)
 *  Template record (section 3.4.1): Template ID | Field Count, then per field: IE id | Field Length
 * </pre>
 *
 * Templates, one per kind of event, fields in RFC 8158's order (section 4, "Event templates"; IE numbers from IANA's
 * IPFIX registry):
 * <ul>
 *   <li>256 NAT44 session create/delete (natEvent 4, 5): observationTimeMilliseconds 323, natEvent 230,
 *       natInstanceID 463, protocolIdentifier 4, sourceIPv4Address 8, sourceTransportPort 7,
 *       postNATSourceIPv4Address 225, postNAPTSourceTransportPort 227, destinationIPv4Address 12,
 *       destinationTransportPort 11 (32 bytes a record)</li>
 *   <li>257 addresses exhausted (natEvent 3): 323, 230, 463, natPoolId 283</li>
 *   <li>258 quota exceeded, maximum session entries (natEvent 13, natQuotaExceededEvent 1): 323, 230, 463,
 *       natQuotaExceededEvent 466, maxSessionEntries 471</li>
 *   <li>259 quota exceeded, maximum entries per user (natEvent 13, natQuotaExceededEvent 3): 323, 230, 463, 466,
 *       maxEntriesPerUser 473, sourceIPv4Address 8</li>
 * </ul>
 *
 * Not thread-safe: one exporting thread owns an encoder (its sequence number is the stream's).
 */
final class IpfixEncoder {
    static final int VERSION = 10;
    static final int HEADER_LENGTH = 16;
    static final int SET_HEADER_LENGTH = 4;
    static final int TEMPLATE_SET_ID = 2;

    static final int TEMPLATE_SESSION = 256;
    static final int TEMPLATE_ADDRESSES_EXHAUSTED = 257;
    static final int TEMPLATE_MAX_SESSIONS = 258;
    static final int TEMPLATE_MAX_USER_SESSIONS = 259;

    // IANA IPFIX Information Element identifiers.
    static final int IE_PROTOCOL_IDENTIFIER = 4;
    static final int IE_SOURCE_TRANSPORT_PORT = 7;
    static final int IE_SOURCE_IPV4_ADDRESS = 8;
    static final int IE_DESTINATION_TRANSPORT_PORT = 11;
    static final int IE_DESTINATION_IPV4_ADDRESS = 12;
    static final int IE_POST_NAT_SOURCE_IPV4_ADDRESS = 225;
    static final int IE_POST_NAPT_SOURCE_TRANSPORT_PORT = 227;
    static final int IE_NAT_EVENT = 230;
    static final int IE_NAT_POOL_ID = 283;
    static final int IE_OBSERVATION_TIME_MILLISECONDS = 323;
    static final int IE_NAT_INSTANCE_ID = 463;
    static final int IE_NAT_QUOTA_EXCEEDED_EVENT = 466;
    static final int IE_MAX_SESSION_ENTRIES = 471;
    static final int IE_MAX_ENTRIES_PER_USER = 473;

    /** {template id, then IE id and length pairs}, in the order the fields are written. */
    static final int[][] TEMPLATES = {
            {TEMPLATE_SESSION, IE_OBSERVATION_TIME_MILLISECONDS, 8, IE_NAT_EVENT, 1, IE_NAT_INSTANCE_ID, 4,
                    IE_PROTOCOL_IDENTIFIER, 1, IE_SOURCE_IPV4_ADDRESS, 4, IE_SOURCE_TRANSPORT_PORT, 2,
                    IE_POST_NAT_SOURCE_IPV4_ADDRESS, 4, IE_POST_NAPT_SOURCE_TRANSPORT_PORT, 2,
                    IE_DESTINATION_IPV4_ADDRESS, 4, IE_DESTINATION_TRANSPORT_PORT, 2},
            {TEMPLATE_ADDRESSES_EXHAUSTED, IE_OBSERVATION_TIME_MILLISECONDS, 8, IE_NAT_EVENT, 1, IE_NAT_INSTANCE_ID, 4,
                    IE_NAT_POOL_ID, 4},
            {TEMPLATE_MAX_SESSIONS, IE_OBSERVATION_TIME_MILLISECONDS, 8, IE_NAT_EVENT, 1, IE_NAT_INSTANCE_ID, 4,
                    IE_NAT_QUOTA_EXCEEDED_EVENT, 4, IE_MAX_SESSION_ENTRIES, 4},
            {TEMPLATE_MAX_USER_SESSIONS, IE_OBSERVATION_TIME_MILLISECONDS, 8, IE_NAT_EVENT, 1, IE_NAT_INSTANCE_ID, 4,
                    IE_NAT_QUOTA_EXCEEDED_EVENT, 4, IE_MAX_ENTRIES_PER_USER, 4, IE_SOURCE_IPV4_ADDRESS, 4},
    };

    private final int observationDomain;
    private final int natInstance;
    private final ByteBuffer message;
    /** RFC 7011 section 3.1: data records sent in this stream, modulo 2^32, before the current message. */
    private int sequence;

    /**
     * @param maxMessageBytes the largest message written; for UDP it should fit the path MTU (RFC 7011 section
     *                        10.3.3), so the IP and UDP headers' 28 bytes below the link's MTU at most
     */
    IpfixEncoder(int observationDomain, int natInstance, int maxMessageBytes) {
        this.observationDomain = observationDomain;
        this.natInstance = natInstance;
        this.message = ByteBuffer.allocate(maxMessageBytes).order(ByteOrder.BIG_ENDIAN);
        if (maxMessageBytes < HEADER_LENGTH + templateSetLength()) {
            throw new IllegalArgumentException("an IPFIX message of " + maxMessageBytes + " bytes cannot hold the"
                    + " templates (" + (HEADER_LENGTH + templateSetLength()) + " bytes)");
        }
    }

    static int templateSetLength() {
        int length = SET_HEADER_LENGTH;
        for (int[] t : TEMPLATES) {
            length += 4 + (t.length - 1) / 2 * 4;
        }
        return length;
    }

    static int recordLength(int template) {
        for (int[] t : TEMPLATES) {
            if (t[0] == template) {
                int length = 0;
                for (int f = 2; f < t.length; f += 2) {
                    length += t[f];
                }
                return length;
            }
        }
        throw new IllegalArgumentException("no template " + template);
    }

    /** The template an event is exported with, or -1 for an event this encoder does not export. */
    static int templateOf(long[] records, int i) {
        return switch (Nat44Event.natEvent(records, i)) {
            case Nat44Event.SESSION_CREATE, Nat44Event.SESSION_DELETE -> TEMPLATE_SESSION;
            case Nat44Event.ADDRESSES_EXHAUSTED -> TEMPLATE_ADDRESSES_EXHAUSTED;
            case Nat44Event.QUOTA_EXCEEDED -> switch (Nat44Event.quotaEvent(records, i)) {
                case Nat44Event.QUOTA_MAX_SESSION_ENTRIES -> TEMPLATE_MAX_SESSIONS;
                case Nat44Event.QUOTA_MAX_ENTRIES_PER_USER -> TEMPLATE_MAX_USER_SESSIONS;
                default -> -1;
            };
            default -> -1;
        };
    }

    int sequence() {
        return sequence;
    }

    /**
     * Writes one message: the template set first when {@code withTemplates}, then as many of the {@code count}
     * events from {@code from} as fit, in data sets by template (consecutive events of one template share a set).
     * Returns how many events it consumed (exported or skipped as not exportable); the message is in
     * {@link #message()} until the next call.
     */
    int encode(long[] records, int from, int count, long exportTimeMillis, boolean withTemplates) {
        ByteBuffer out = message.clear();
        out.putShort((short) VERSION).putShort((short) 0).putInt((int) (exportTimeMillis / 1000))
                .putInt(sequence).putInt(observationDomain);
        if (withTemplates) {
            writeTemplates(out);
        }
        int consumed = 0;
        int setStart = -1;
        int setTemplate = -1;
        int exported = 0;
        for (; consumed < count; consumed++) {
            int i = from + consumed;
            int template = templateOf(records, i);
            if (template < 0) {
                continue;
            }
            int needed = recordLength(template) + (template == setTemplate ? 0 : SET_HEADER_LENGTH);
            if (out.remaining() < needed) {
                break;
            }
            if (template != setTemplate) {
                closeSet(out, setStart);
                setStart = out.position();
                setTemplate = template;
                out.putShort((short) template).putShort((short) 0);
            }
            writeRecord(out, template, records, i);
            exported++;
        }
        closeSet(out, setStart);
        out.putShort(2, (short) out.position());
        sequence += exported;
        out.flip();
        return consumed;
    }

    /** The message the last {@link #encode} wrote, from position 0 to its length. */
    ByteBuffer message() {
        return message;
    }

    private static void closeSet(ByteBuffer out, int setStart) {
        if (setStart >= 0) {
            out.putShort(setStart + 2, (short) (out.position() - setStart));
        }
    }

    private static void writeTemplates(ByteBuffer out) {
        int start = out.position();
        out.putShort((short) TEMPLATE_SET_ID).putShort((short) 0);
        for (int[] t : TEMPLATES) {
            out.putShort((short) t[0]).putShort((short) ((t.length - 1) / 2));
            for (int f = 1; f < t.length; f += 2) {
                out.putShort((short) t[f]).putShort((short) t[f + 1]);
            }
        }
        out.putShort(start + 2, (short) (out.position() - start));
    }

    private void writeRecord(ByteBuffer out, int template, long[] r, int i) {
        out.putLong(Nat44Event.time(r, i)).put((byte) Nat44Event.natEvent(r, i)).putInt(natInstance);
        switch (template) {
            case TEMPLATE_SESSION -> out.put((byte) Nat44Event.protocol(r, i))
                    .putInt(Nat44Event.insideAddress(r, i)).putShort((short) Nat44Event.insidePort(r, i))
                    .putInt(Nat44Event.outsideAddress(r, i)).putShort((short) Nat44Event.outsidePort(r, i))
                    .putInt(Nat44Event.remoteAddress(r, i)).putShort((short) Nat44Event.remotePort(r, i));
            case TEMPLATE_ADDRESSES_EXHAUSTED -> out.putInt(Nat44Event.limit(r, i));
            case TEMPLATE_MAX_SESSIONS -> out.putInt(Nat44Event.quotaEvent(r, i)).putInt(Nat44Event.limit(r, i));
            case TEMPLATE_MAX_USER_SESSIONS -> out.putInt(Nat44Event.quotaEvent(r, i)).putInt(Nat44Event.limit(r, i))
                    .putInt(Nat44Event.insideAddress(r, i));
            default -> throw new IllegalStateException("template " + template);
        }
    }
}
