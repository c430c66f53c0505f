package dev.tl.model;

import dev.tl.zoo.layers.DeferredZeroPadding;
import dev.tl.zoo.layers.NativeConvolution;
import dev.tl.zoo.layers.NativeDepthwiseConvolution;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationIdentity;

/**
 * In a training graph, each zero padding that only feeds a convolution is applied by that convolution as it reads
 * (see {@link DeferredZeroPadding}): DL4J's padding layer copies the activation into a larger array forward and the
 * gradient out of it backward. Vertices, names and parameters stay the graph's; only the run-time layers change.
 */
final class DeferredPaddings {

    private static final Set<Class<?>> CONVOLUTIONS = Set.of(NativeConvolution.class,
            NativeDepthwiseConvolution.class);

    private DeferredPaddings() {
    }

    /** Makes each padding that can be deferred in {@code conf} a {@link DeferredZeroPadding} (modifies conf). */
    static void configure(ComputationGraphConfiguration conf) {
        deferrable(conf).forEach((padding, convolution) -> {
            LayerVertex vertex = (LayerVertex) conf.getVertices().get(padding);
            ZeroPaddingLayer layer = (ZeroPaddingLayer) layerOf(vertex);
            if (layer instanceof DeferredZeroPadding) {
                return;
            }
            DeferredZeroPadding deferred = DeferredZeroPadding.of(layer);
            vertex.getLayerConf().setLayer(vertex.getLayerConf().getLayer() instanceof FrozenLayer
                    ? new FrozenLayer(deferred) : deferred);
        });
    }

    /** Links each deferred padding of {@code graph} to the convolution that applies it; returns {@code graph}. */
    static ComputationGraph link(ComputationGraph graph) {
        deferrable(graph.getConfiguration()).forEach((padding, convolution) -> DeferredZeroPadding.link(
                inside(graph.getLayer(padding)), inside(graph.getLayer(convolution))));
        return graph;
    }

    /**
     * Padding vertices (channels last, no preprocessor, not an output) whose only consumer is tl's convolution in
     * Truncate or Strict mode, channels last, identity activation and no dropout, frozen exactly when the padding
     * is, with the padding as its only input: padding vertex to its convolution.
     */
    private static Map<String, String> deferrable(ComputationGraphConfiguration conf) {
        Map<String, String> pairs = new java.util.LinkedHashMap<>();
        conf.getVertices().forEach((name, vertex) -> {
            if (!(layerOf(vertex) instanceof ZeroPaddingLayer padding) || padding.getDataFormat() != CNN2DFormat.NHWC
                    || ((LayerVertex) vertex).getPreProcessor() != null || conf.getNetworkOutputs().contains(name)) {
                return;
            }
            List<String> consumers = conf.getVertexInputs().entrySet().stream()
                    .filter(entry -> entry.getValue().contains(name)).map(Map.Entry::getKey).toList();
            if (consumers.size() != 1) {
                return;
            }
            GraphVertex consumer = conf.getVertices().get(consumers.get(0));
            if (layerOf(consumer) instanceof ConvolutionLayer conv && CONVOLUTIONS.contains(conv.getClass())
                    && (conv.getConvolutionMode() == ConvolutionMode.Truncate
                    || conv.getConvolutionMode() == ConvolutionMode.Strict)
                    && conv.getCnn2dDataFormat() == CNN2DFormat.NHWC
                    && conv.getActivationFn() instanceof ActivationIdentity && conv.getIDropout() == null
                    && ((LayerVertex) consumer).getPreProcessor() == null
                    && conf.getVertexInputs().get(consumers.get(0)).size() == 1
                    && isFrozen(vertex) == isFrozen(consumer)) {
                pairs.put(name, consumers.get(0));
            }
        });
        return pairs;
    }

    private static boolean isFrozen(GraphVertex vertex) {
        return vertex instanceof LayerVertex layer && layer.getLayerConf().getLayer() instanceof FrozenLayer;
    }

    private static org.deeplearning4j.nn.conf.layers.Layer layerOf(GraphVertex vertex) {
        if (!(vertex instanceof LayerVertex layerVertex)) {
            return null;
        }
        org.deeplearning4j.nn.conf.layers.Layer layer = layerVertex.getLayerConf().getLayer();
        return layer instanceof FrozenLayer frozen ? frozen.getLayer() : layer;
    }

    private static Layer inside(Layer layer) {
        return layer instanceof org.deeplearning4j.nn.layers.FrozenLayer frozen ? frozen.getInsideLayer() : layer;
    }
}
