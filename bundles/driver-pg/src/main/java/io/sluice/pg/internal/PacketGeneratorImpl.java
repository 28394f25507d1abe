package io.sluice.pg.internal;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.pg.api.PacketGenerator;
import io.sluice.pg.api.PgStream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The packet generator: keeps the streams, publishes them to {@code pg-input} as an immutable array, and
 * re-registers the node when a stream needs an arc it does not have yet.
 */
@Component(service = PacketGenerator.class, immediate = true)
public final class PacketGeneratorImpl implements PacketGenerator {

    private final GraphRuntime graph;
    private final Map<String, StreamState> streams = new LinkedHashMap<>();
    private final List<String> targets = new ArrayList<>();
    private final List<String> namesByIndex = new ArrayList<>();
    private volatile StreamState[] active = new StreamState[0];
    private PgInputNode node;

    @Activate
    public PacketGeneratorImpl(@Reference GraphRuntime graph) {
        this.graph = graph;
        synchronized (this) {
            targets.add("ethernet-input");
            register();
        }
    }

    @Deactivate
    synchronized void deactivate() {
        graph.removeNode(node);
        for (StreamState stream : streams.values()) {
            stream.enabled = false;
        }
    }

    /** The pg-input instance registered now (tests). */
    PgInputNode inputNode() {
        return node;
    }

    StreamState[] active() {
        return active;
    }

    private void register() {
        List<String> arcs = List.copyOf(targets);
        PgInputNode replacement = new PgInputNode(this, arcs, this::streamName);
        graph.addNode(replacement);
        node = replacement;
    }

    private synchronized String streamName(int index) {
        return index < namesByIndex.size() ? namesByIndex.get(index) : "#" + index;
    }

    @Override
    public synchronized void add(PgStream stream) {
        int arc = targets.indexOf(stream.node());
        if (arc < 0) {
            targets.add(stream.node());
            arc = targets.size() - 1;
            register();
        }
        StreamState replaced = streams.get(stream.name());
        namesByIndex.add(stream.name());
        streams.put(stream.name(), new StreamState(stream, namesByIndex.size() - 1, arc));
        publish();
        if (replaced != null) {
            release(replaced);
        }
    }

    @Override
    public synchronized void enable(String name) {
        stream(name).enabled = true;
        graph.wakeWorkers(); // a worker sleeping in rx-mode interrupt starts sending now
    }

    @Override
    public synchronized void disable(String name) {
        stream(name).enabled = false;
    }

    @Override
    public synchronized void remove(String name) {
        StreamState removed = stream(name);
        streams.remove(name);
        publish();
        release(removed);
    }

    /** Frees a stream's native templates once no worker can be reading them. */
    private void release(StreamState stream) {
        stream.enabled = false;
        graph.withBarrier(() -> {
            stream.close();
            return null;
        });
    }

    private StreamState stream(String name) {
        StreamState stream = streams.get(name);
        if (stream == null) {
            throw new IllegalArgumentException("no packet-generator stream named '" + name + "'");
        }
        return stream;
    }

    private void publish() {
        active = streams.values().toArray(new StreamState[0]);
    }

    @Override
    public synchronized List<StreamStatus> streams() {
        List<StreamStatus> result = new ArrayList<>();
        for (StreamState stream : streams.values()) {
            PgStream spec = stream.stream;
            result.add(new StreamStatus(spec.name(), stream.enabled, stream.sent, spec.count(), spec.ratePps(),
                    stream.allocFailures));
        }
        return result;
    }
}
