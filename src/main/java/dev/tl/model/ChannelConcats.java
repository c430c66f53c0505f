package dev.tl.model;

import dev.tl.zoo.layers.ChannelConcat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;

/**
 * In a training graph, concatenations are tl's {@link ChannelConcat}, which copies with oneDNN: same vertices, names
 * and outputs; only the run-time vertex changes.
 */
final class ChannelConcats {

    private ChannelConcats() {
    }

    /** Makes each DL4J MergeVertex of {@code conf} a {@link ChannelConcat} (modifies conf). */
    static void configure(ComputationGraphConfiguration conf) {
        conf.getVertices().replaceAll((name, vertex) -> vertex.getClass() == MergeVertex.class
                ? ChannelConcat.of((MergeVertex) vertex) : vertex);
    }
}
