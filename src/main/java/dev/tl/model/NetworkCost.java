package dev.tl.model;

import dev.tl.data.InputSpec;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * What one image costs a graph's forward pass, counted from its layers' shapes: the multiply-adds of its
 * convolutions and dense layers (everything else is a rounding error in FLOPs), and the bytes its vertices read and
 * write if each reads its inputs from memory and writes its output to memory once, in float. The second is what
 * bounds depthwise convolutions, BatchNorm and activations, which do few operations per byte.
 */
public record NetworkCost(long multiplyAdds, long depthwiseMultiplyAdds, long activationBytes) {

    /** A training step's multiply-adds: forward, gradient of the input and gradient of the weights, ~3× forward. */
    public static final int TRAINING_PASSES = 3;

    public static NetworkCost of(ComputationGraph graph, List<InputSpec> inputs) {
        // On a copy: working out the shapes sets preprocessors and nIn on the configuration it runs on.
        return of(ComputationGraphConfiguration.fromJson(graph.getConfiguration().toJson()), inputs);
    }

    /** The cost of a graph from its configuration alone (no parameters needed), which this may change. */
    public static NetworkCost of(ComputationGraphConfiguration conf, List<InputSpec> inputs) {
        InputType[] types = inputs.stream()
                .map(in -> InputType.convolutional(in.imageSize(), in.imageSize(), 3, in.layout()))
                .toArray(InputType[]::new);
        Map<String, InputType> outputs = conf.getLayerActivationTypes(types);
        long macs = 0;
        long depthwise = 0;
        long bytes = 0;
        for (Map.Entry<String, InputType> vertex : outputs.entrySet()) {
            List<String> in = conf.getVertexInputs().get(vertex.getKey());
            if (in == null) {
                continue;   // a network input
            }
            long outElements = vertex.getValue().arrayElementsPerExample();
            bytes += Float.BYTES * (outElements + in.stream().mapToLong(i -> outputs.get(i).arrayElementsPerExample()).sum());
            if (conf.getVertices().get(vertex.getKey()) instanceof LayerVertex layerVertex) {
                Layer layer = layerVertex.getLayerConf().getLayer();
                long layerMacs = multiplyAdds(layer instanceof FrozenLayer frozen ? frozen.getLayer() : layer,
                        outElements);
                macs += layerMacs;
                depthwise += layer instanceof DepthwiseConvolution2D ? layerMacs : 0;
            }
        }
        return new NetworkCost(macs, depthwise, bytes);
    }

    /**
     * Per output element: a convolution's kernel window over its input channels (one channel if depthwise); a
     * separable convolution's depthwise window per input channel, then its 1x1 convolution over them.
     */
    private static long multiplyAdds(Layer layer, long outElements) {
        if (layer instanceof DepthwiseConvolution2D conv) {
            return outElements * conv.getKernelSize()[0] * conv.getKernelSize()[1];
        }
        if (layer instanceof SeparableConvolution2D conv) {
            long channels = conv.getNIn() * conv.getDepthMultiplier();
            long positions = outElements / conv.getNOut();
            return positions * channels * conv.getKernelSize()[0] * conv.getKernelSize()[1] + outElements * channels;
        }
        if (layer instanceof ConvolutionLayer conv) {
            return outElements * conv.getNIn() * conv.getKernelSize()[0] * conv.getKernelSize()[1];
        }
        if (layer instanceof DenseLayer || layer instanceof BaseOutputLayer) {
            return outElements * ((FeedForwardLayer) layer).getNIn();
        }
        return 0;
    }

    /** GFLOP/s (2 FLOPs per multiply-add) at {@code imagesPerSecond} for {@code passes} forward-sized passes. */
    public double gflops(double imagesPerSecond, int passes) {
        return 2.0 * multiplyAdds * passes * imagesPerSecond / 1e9;
    }

    /** GB/s of activation traffic at {@code imagesPerSecond}, as counted here (forward only). */
    public double gigabytesPerSecond(double imagesPerSecond) {
        return activationBytes * imagesPerSecond / 1e9;
    }
}
