package dev.tl.model;

import dev.tl.zoo.layers.FrozenBatchNormalization;
import dev.tl.zoo.layers.NativeConvolution;
import dev.tl.zoo.layers.OutOfPlaceActivation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * An inference-only copy of a graph with every BatchNorm that directly follows a convolution folded into it. In
 * inference mode BatchNorm is a fixed affine map per channel, so the convolution can compute it:
 * W' = W·s, b' = (b − μ)·s + β with s = γ/√(σ²+ε), and it applies the BatchNorm's activation too. That removes one
 * full pass over the tensor (two with an activation) per BatchNorm.
 *
 * <p>The copy is for inference passes only: it is never trained or saved, so bundles, checkpoints and resumed runs
 * keep the graph's own parameters. BatchNorm after anything else (DenseNet's pre-activation BatchNorm after a
 * concatenation) stays as it is.
 */
public final class BatchNormFolding {

    /** Exactly these: Deconvolution2D and SeparableConvolution2D also extend ConvolutionLayer, with other weights. */
    private static final Set<Class<?>> FOLDABLE = Set.of(ConvolutionLayer.class, NativeConvolution.class,
            DepthwiseConvolution2D.class);

    private BatchNormFolding() {
    }

    /** {@code graph}'s inference, with BatchNorm folded where it can be; {@code graph} itself if nothing folds. */
    public static ComputationGraph fold(ComputationGraph graph) {
        // Copied through JSON: DL4J's clone() of a MergeVertex drops its merge axis (back to NCHW's).
        ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(graph.getConfiguration().toJson());
        conf.getVertices().replaceAll((name, vertex) -> unfrozen(vertex));
        List<Fold> folds = foldable(conf);
        if (folds.isEmpty()) {
            return graph;
        }
        for (Fold fold : folds) {
            ConvolutionLayer conv = (ConvolutionLayer) layerOf(conf.getVertices().get(fold.conv()));
            conv.setHasBias(true);
            conv.setActivationFn(appliedActivation(fold.batchNorm()));
            conf.getVertices().remove(fold.batchNormName());
            conf.getVertexInputs().remove(fold.batchNormName());
            conf.getVertexInputs().values().forEach(inputs ->
                    inputs.replaceAll(in -> in.equals(fold.batchNormName()) ? fold.conv() : in));
        }
        conf.setTopologicalOrder(null);   // the saved order still names the removed vertices
        conf.setTopologicalOrderStr(null);
        ComputationGraph folded = new ComputationGraph(conf);
        folded.init();
        for (org.deeplearning4j.nn.graph.vertex.GraphVertex vertex : folded.getVertices()) {
            if (vertex.hasLayer()) {
                copyParams(graph.getLayer(vertex.getVertexName()), vertex.getLayer());
            }
        }
        for (Fold fold : folds) {
            foldInto(graph.getLayer(fold.conv()), graph.getLayer(fold.batchNormName()), fold.batchNorm().getEps(),
                    folded.getLayer(fold.conv()));
        }
        return folded;
    }

    /** A BatchNorm vertex and the convolution before it. */
    private record Fold(String batchNormName, BatchNormalization batchNorm, String conv) {
    }

    /** BatchNorm vertices right after a convolution that feeds nothing else, in the configuration's order. */
    private static List<Fold> foldable(ComputationGraphConfiguration conf) {
        List<Fold> folds = new ArrayList<>();
        conf.getVertices().forEach((name, vertex) -> {
            List<String> inputs = conf.getVertexInputs().get(name);
            if (!(layerOf(vertex) instanceof BatchNormalization batchNorm) || batchNorm.isUseLogStd()
                    || inputs == null || inputs.size() != 1 || ((LayerVertex) vertex).getPreProcessor() != null) {
                return;
            }
            String conv = inputs.get(0);
            if (layerOf(conf.getVertices().get(conv)) instanceof ConvolutionLayer convLayer
                    && FOLDABLE.contains(convLayer.getClass())
                    && convLayer.getActivationFn() instanceof ActivationIdentity
                    && consumers(conf, conv) == 1 && !conf.getNetworkOutputs().contains(conv)) {
                folds.add(new Fold(name, batchNorm, conv));
            }
        });
        return folds;
    }

    /** What the BatchNorm layer applies after normalising: DL4J's own ignores its activation, tl's applies its own. */
    private static IActivation appliedActivation(BatchNormalization batchNorm) {
        return batchNorm instanceof FrozenBatchNormalization && batchNorm.getActivationFn() instanceof OutOfPlaceActivation
                ? batchNorm.getActivationFn() : new ActivationIdentity();
    }

    private static long consumers(ComputationGraphConfiguration conf, String vertex) {
        return conf.getVertexInputs().values().stream().filter(inputs -> inputs.contains(vertex)).count();
    }

    /** The layer or vertex a frozen wrapper holds: the copy only runs inference, where freezing means nothing. */
    private static GraphVertex unfrozen(GraphVertex vertex) {
        if (vertex instanceof FrozenVertex frozen) {
            return frozen.getUnderlying();
        }
        if (vertex instanceof LayerVertex layerVertex) {
            org.deeplearning4j.nn.conf.layers.Layer layer = layerVertex.getLayerConf().getLayer();
            if (layer instanceof FrozenLayer frozen) {
                layerVertex.getLayerConf().setLayer(frozen.getLayer());
            } else if (layer instanceof FrozenLayerWithBackprop frozen) {
                layerVertex.getLayerConf().setLayer(frozen.getUnderlying());
            }
        }
        return vertex;
    }

    private static org.deeplearning4j.nn.conf.layers.Layer layerOf(GraphVertex vertex) {
        return vertex instanceof LayerVertex layerVertex ? layerVertex.getLayerConf().getLayer() : null;
    }

    private static void copyParams(Layer source, Layer target) {
        source.paramTable().forEach((key, value) -> {
            if (target.paramTable().containsKey(key)) {
                target.getParam(key).assign(value);
            }
        });
    }

    /**
     * W' = W·s per output channel, b' = (b − μ)·s + β, computed in float whatever the graph's precision. A
     * convolution's weights are [out, in, kh, kw]; a depthwise one's [kh, kw, in, multiplier], output channel
     * in·multiplier + m.
     */
    private static void foldInto(Layer conv, Layer batchNorm, double eps, Layer target) {
        INDArray gamma = floats(batchNorm, BatchNormalizationParamInitializer.GAMMA);
        INDArray beta = floats(batchNorm, BatchNormalizationParamInitializer.BETA);
        INDArray mean = floats(batchNorm, BatchNormalizationParamInitializer.GLOBAL_MEAN);
        INDArray var = floats(batchNorm, BatchNormalizationParamInitializer.GLOBAL_VAR);
        INDArray scale = Transforms.sqrt(var.addi(eps), false).rdivi(gamma);

        INDArray weights = conv.getParam(ConvolutionParamInitializer.WEIGHT_KEY).castTo(DataType.FLOAT);
        boolean depthwise = target.getConfig() instanceof DepthwiseConvolution2D;
        INDArray scaled = weights.ulike();
        Nd4j.getExecutioner().exec(depthwise
                ? new BroadcastMulOp(weights, scale.reshape(weights.size(2), weights.size(3)), scaled, 2, 3)
                : new BroadcastMulOp(weights, scale, scaled, 0));
        target.getParam(ConvolutionParamInitializer.WEIGHT_KEY).assign(scaled);

        INDArray bias = conv.paramTable().containsKey(ConvolutionParamInitializer.BIAS_KEY)
                ? floats(conv, ConvolutionParamInitializer.BIAS_KEY) : Nd4j.zeros(DataType.FLOAT, scale.length());
        INDArray targetBias = target.getParam(ConvolutionParamInitializer.BIAS_KEY);
        targetBias.assign(bias.subi(mean).muli(scale).addi(beta).reshape(targetBias.shape()));
    }

    private static INDArray floats(Layer layer, String key) {
        return layer.getParam(key).castTo(DataType.FLOAT).reshape(-1).dup();
    }
}
