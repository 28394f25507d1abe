package io.sluice.graph.api;

/**
 * A graph node, registered as an OSGi service (or added with {@link GraphRuntime#addNode}). The runtime
 * calls {@link #process} with a frame of buffer indices; the node writes a next arc for every buffer
 * (the index of the node name in {@link NodeRegistration#nextNodes()}), and the runtime moves the buffers to
 * the next nodes' frames in bulk. An input node gets an empty frame, fills it from its device and returns
 * how many buffers it added. A node that consumes buffers (frees or transmits them) sets the frame's count
 * to 0 so the runtime moves nothing on. Nodes are stateless or keep their state in tables that outlive the instance,
 * so a replacement (hot swap) carries on where the old one stopped.
 */
public interface Node {

    NodeRegistration registration();

    /**
     * Processes {@code frame}: sets {@code frame.nexts()[i]} for each of its {@code frame.count()} buffers.
     *
     * @return the number of buffers handled (the vector size counted by {@code runtime:show})
     */
    int process(NodeContext context, Frame frame);
}
