package io.sluice.nat44.internal;

import io.sluice.common.state.StateFile;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A session file of layout 1 (endpoint-independent sessions: keyed by the inside and the outside endpoint, the
 * remote endpoint only remembered) made a file of layout 2 (per-flow sessions, {@link SessionTable}) in place,
 * before {@link StateFile} checks it, so an upgrade keeps the box's sessions instead of moving them aside.
 *
 * <p>The records have the same bytes in both layouts: each EI session becomes the ED session of the flow to the
 * remote it remembered. Layout 1 kept one session per inside endpoint and one per outside endpoint, so the
 * 5-tuples of the converted sessions are distinct, and their mappings one outside endpoint per inside endpoint,
 * as {@link EndpointMappings} needs. What changes is the table's magic and the state file's layout version, and
 * with them the header's checksum. A layout 1 file of another geometry (another max-sessions) is left alone:
 * StateFile moves it aside as it does any file it cannot attach to.
 */
final class SessionFileMigration {
    private static final System.Logger LOG = System.getLogger(SessionFileMigration.class.getName());

    /** The state file header's fields this reads (StateFile's layout, drawn in its class comment). */
    private static final int H_MAGIC = 0;
    private static final int H_KIND = 16;
    private static final int H_LAYOUT = 24;
    private static final int H_RECORD_SIZE = 28;
    private static final int H_RECORD_COUNT = 32;
    private static final int H_PAYLOAD_SIZE = 40;
    private static final int H_CHECKSUM = 60;
    static final int LAYOUT_V1 = 1;

    private SessionFileMigration() {
    }

    /**
     * Rewrites {@code file} from layout 1 to {@code spec}'s layout when it is a sound layout 1 session file of the
     * same geometry; returns whether it did. Anything else is left for StateFile to judge.
     */
    static boolean upgrade(Path file, StateFile.Spec spec) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) != spec.fileSize()) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(StateFile.HEADER_SIZE + SessionTable.HEADER_SIZE)
                    .order(ByteOrder.nativeOrder());
            while (head.hasRemaining() && channel.read(head, head.position()) > 0) {
                // read the state file header and the table's own header
            }
            if (head.hasRemaining() || !isLayoutV1(head, spec)) {
                return false;
            }
            channel.write(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, SessionTable.MAGIC),
                    StateFile.HEADER_SIZE + SessionTable.H_MAGIC);
            channel.force(true);
            channel.write(ByteBuffer.wrap(StateFile.headerBytes(spec)), 0);
            channel.force(true);
        }
        LOG.log(System.Logger.Level.INFO, file + ": migrated from session layout " + LAYOUT_V1
                + " (one session per inside endpoint) to layout " + spec.layoutVersion()
                + " (one session per flow, NAT44-ED), each session kept as the flow to the remote it remembered");
        return true;
    }

    /** The table magic of a pre-header layout 1 payload StateFile has just copied behind a header: made layout 2. */
    static void upgradePayload(MemorySegment records) {
        records.set(ValueLayout.JAVA_LONG, SessionTable.H_MAGIC, SessionTable.MAGIC);
        LOG.log(System.Logger.Level.INFO, "NAT44 sessions of layout " + LAYOUT_V1
                + " kept as per-flow sessions (NAT44-ED), each the flow to the remote it remembered");
    }

    private static boolean isLayoutV1(ByteBuffer head, StateFile.Spec spec) {
        if (head.getLong(H_MAGIC) != StateFile.MAGIC || head.getLong(H_KIND) != spec.kind()
                || head.getInt(H_LAYOUT) != LAYOUT_V1 || head.getInt(H_RECORD_SIZE) != spec.recordSize()
                || head.getLong(H_RECORD_COUNT) != spec.recordCount()
                || head.getLong(H_PAYLOAD_SIZE) != spec.payloadSize()) {
            return false;
        }
        CRC32C crc = new CRC32C();
        crc.update(head.array(), 0, H_CHECKSUM);
        if ((int) crc.getValue() != head.getInt(H_CHECKSUM)) {
            return false;
        }
        return head.getLong(StateFile.HEADER_SIZE + SessionTable.H_MAGIC) == SessionTable.MAGIC_V1;
    }
}
