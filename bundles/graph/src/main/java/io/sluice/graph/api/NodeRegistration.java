package io.sluice.graph.api;

import java.util.List;

/**
 * What the graph needs to know of a node: its name, kind, next nodes by name (arc i is
 * {@code nextNodes.get(i)}), its error counters, its trace formatter and, for a feature, where it sits on its
 * arc. {@code startsArcs} defines the feature arcs this node begins (ip4-input begins ip4-unicast), in the
 * order {@link NodeContext#featureStart(int, int)} numbers them.
 */
public record NodeRegistration(
        String name,
        NodeKind kind,
        List<String> nextNodes,
        List<? extends NodeError> errors,
        TraceFormatter traceFormatter,
        FeatureRegistration feature,
        List<FeatureArc> startsArcs) {

    public NodeRegistration {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a node needs a name");
        }
        nextNodes = List.copyOf(nextNodes);
        errors = List.copyOf(errors);
        startsArcs = List.copyOf(startsArcs);
    }

    public static NodeRegistration internal(String name, List<String> nextNodes, List<? extends NodeError> errors,
                                            TraceFormatter traceFormatter) {
        return new NodeRegistration(name, NodeKind.INTERNAL, nextNodes, errors, traceFormatter, null, List.of());
    }

    public static NodeRegistration input(String name, List<String> nextNodes, List<? extends NodeError> errors,
                                         TraceFormatter traceFormatter) {
        return new NodeRegistration(name, NodeKind.INPUT, nextNodes, errors, traceFormatter, null, List.of());
    }

    public NodeRegistration withFeature(FeatureRegistration feature) {
        return new NodeRegistration(name, kind, nextNodes, errors, traceFormatter, feature, startsArcs);
    }

    public NodeRegistration startingArcs(FeatureArc... arcs) {
        return new NodeRegistration(name, kind, nextNodes, errors, traceFormatter, feature, List.of(arcs));
    }
}
