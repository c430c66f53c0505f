package dev.tl.model;

import dev.tl.zoo.layers.FoldedBatchNorm;
import dev.tl.zoo.layers.FrozenBatchNormalization;
import dev.tl.zoo.layers.LayerScale;
import dev.tl.zoo.layers.NativeConvolution;
import dev.tl.zoo.layers.NativeDepthwiseConvolution;
import dev.tl.zoo.layers.OutOfPlaceActivation;
import dev.tl.zoo.layers.SeparableConvolution;
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
import org.deeplearning4j.nn.params.SeparableConvolutionParamInitializer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An inference-only copy of a graph with every BatchNorm that directly follows a convolution folded into it. In
 * inference mode BatchNorm is a fixed affine map per channel, so the convolution can compute it:
 * W' = W·s, b' = (b − μ)·s + β with s = γ/√(σ²+ε), and it applies the BatchNorm's activation too. That removes one
 * full pass over the tensor (two with an activation) per BatchNorm. A layer scale (ConvNeXt) is the affine map with
 * s = γ, μ = β = 0, and folds the same way.
 *
 * <p>The copy is for inference passes only: it is never trained or saved, so bundles, checkpoints and resumed runs
 * keep the graph's own parameters. BatchNorm after anything else (DenseNet's pre-activation BatchNorm after a
 * concatenation) stays as it is, as does LayerNormalization, which normalises each position by its own statistics.
 *
 * <p>Training graphs fold frozen BatchNorm too, as a view rather than a copy ({@link #training}): the graph keeps
 * both layers and all parameters, and the convolution computes the BatchNorm while the BatchNorm layer only applies
 * its activation (see {@link FoldedBatchNorm}).
 */
public final class BatchNormFolding {

    /** Exactly these: Deconvolution2D also extends ConvolutionLayer, with other weights. */
    private static final Set<Class<?>> FOLDABLE = Set.of(ConvolutionLayer.class, NativeConvolution.class,
            DepthwiseConvolution2D.class, NativeDepthwiseConvolution.class, SeparableConvolution.class);

    private BatchNormFolding() {
    }

    /** {@code graph}'s inference, with BatchNorm folded where it can be; {@code graph} itself if nothing folds. */
    public static ComputationGraph fold(ComputationGraph graph) {
        // Copied through JSON: DL4J's clone() of a MergeVertex drops its merge axis (back to NCHW's).
        ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(graph.getConfiguration().toJson());
        conf.getVertices().replaceAll((name, vertex) -> unfrozen(name, vertex));
        List<Fold> folds = foldable(conf);
        if (folds.isEmpty()) {
            return graph;
        }
        for (Fold fold : folds) {
            ConvolutionLayer conv = (ConvolutionLayer) layerOf(conf.getVertices().get(fold.conv()));
            conv.setHasBias(true);
            conv.setActivationFn(appliedActivation(fold.affine()));
            conf.getVertices().remove(fold.affineName());
            conf.getVertexInputs().remove(fold.affineName());
            conf.getVertexInputs().values().forEach(inputs ->
                    inputs.replaceAll(in -> in.equals(fold.affineName()) ? fold.conv() : in));
        }
        conf.setTopologicalOrder(null);   // the saved order still names the removed vertices
        conf.setTopologicalOrderStr(null);
        ComputationGraph folded = new ComputationGraph(conf);
        // Uninitialised: every parameter is copied or folded below, and DL4J's random initialisation would take
        // seconds (DenseNet201: 2.4 s of 2.7).
        long params = conf.getVertices().values().stream()
                .map(BatchNormFolding::layerOf)
                .filter(java.util.Objects::nonNull)
                .mapToLong(layer -> layer.initializer().numParams(layer))
                .sum();
        folded.init(Nd4j.createUninitialized(graph.params().dataType(), params), false);
        for (org.deeplearning4j.nn.graph.vertex.GraphVertex vertex : folded.getVertices()) {
            if (vertex.hasLayer()) {
                copyParams(graph.getLayer(vertex.getVertexName()), vertex.getLayer());
            }
        }
        for (Fold fold : folds) {
            foldInto(graph.getLayer(fold.conv()), graph.getLayer(fold.affineName()), fold.affine(),
                    folded.getLayer(fold.conv()));
        }
        return folded;
    }

    /**
     * A training graph of {@code conf} (initialised with DL4J's initialisation, as {@code new ComputationGraph(conf)
     * .init()}) in which every frozen BatchNorm right after a convolution is computed by that convolution (see
     * {@link FoldedBatchNorm}): one pass fewer over the tensor each way, no recomputation in the backward pass.
     * Parameters, their names and order, and so checkpoints and the updater state, are those of the unfolded graph;
     * DL4J's depthwise convolutions become tl's, which can fold. Frozen pairs (both inside FrozenLayer) fold their
     * forward pass too. Zero paddings that only feed a convolution are applied by it ({@link DeferredPaddings}), and
     * concatenations copy with oneDNN ({@link ChannelConcats}).
     * Modifies {@code conf}.
     */
    public static ComputationGraph training(ComputationGraphConfiguration conf) {
        for (Fold fold : trainingFolds(conf)) {
            LayerVertex vertex = (LayerVertex) conf.getVertices().get(fold.conv());
            org.deeplearning4j.nn.conf.layers.Layer wrapper = vertex.getLayerConf().getLayer();
            if (layerOf(vertex) instanceof DepthwiseConvolution2D depthwise
                    && depthwise.getClass() == DepthwiseConvolution2D.class) {
                NativeDepthwiseConvolution replacement = NativeDepthwiseConvolution.of(depthwise);
                vertex.getLayerConf().setLayer(wrapper instanceof FrozenLayer ? new FrozenLayer(replacement)
                        : replacement);
            }
        }
        DeferredPaddings.configure(conf);
        ChannelConcats.configure(conf);
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return link(graph);
    }

    /**
     * Links each convolution of {@code graph} to the frozen BatchNorm it computes during training, as
     * {@link #training} does (again, for a copy such as {@link ComputationGraph#clone()}'s, which has the
     * configuration but not the links); returns {@code graph}.
     */
    public static ComputationGraph link(ComputationGraph graph) {
        for (Fold fold : trainingFolds(graph.getConfiguration())) {
            FoldedBatchNorm.link(inside(graph.getLayer(fold.conv())), inside(graph.getLayer(fold.affineName())));
        }
        return DeferredPaddings.link(graph);
    }

    /** Frozen BatchNorm after a convolution, both trainable or both inside a FrozenLayer (nothing else folds). */
    private static List<Fold> trainingFolds(ComputationGraphConfiguration conf) {
        return foldable(conf).stream()
                .filter(fold -> fold.affine() instanceof FrozenBatchNormalization)
                .filter(fold -> isFrozen(conf.getVertices().get(fold.conv()))
                        == isFrozen(conf.getVertices().get(fold.affineName())))
                .toList();
    }

    private static boolean isFrozen(GraphVertex vertex) {
        return vertex instanceof LayerVertex layer && layer.getLayerConf().getLayer() instanceof FrozenLayer;
    }

    private static Layer inside(Layer layer) {
        return layer instanceof org.deeplearning4j.nn.layers.FrozenLayer frozen ? frozen.getInsideLayer() : layer;
    }

    /** A BatchNorm (or layer scale) vertex and the convolution before it. */
    private record Fold(String affineName, org.deeplearning4j.nn.conf.layers.Layer affine, String conv) {
    }

    /**
     * BatchNorm and layer scale vertices right after a convolution that feeds nothing else, in the configuration's
     * order (looking through FrozenLayer).
     */
    private static List<Fold> foldable(ComputationGraphConfiguration conf) {
        List<Fold> folds = new ArrayList<>();
        conf.getVertices().forEach((name, vertex) -> {
            List<String> inputs = conf.getVertexInputs().get(name);
            org.deeplearning4j.nn.conf.layers.Layer affine = layerOf(vertex);
            boolean perChannelAffine = affine instanceof BatchNormalization batchNorm && !batchNorm.isUseLogStd()
                    || affine instanceof LayerScale;
            if (!perChannelAffine || inputs == null || inputs.size() != 1
                    || ((LayerVertex) vertex).getPreProcessor() != null) {
                return;
            }
            String conv = inputs.get(0);
            if (layerOf(conf.getVertices().get(conv)) instanceof ConvolutionLayer convLayer
                    && FOLDABLE.contains(convLayer.getClass())
                    && convLayer.getActivationFn() instanceof ActivationIdentity
                    && consumers(conf, conv) == 1 && !conf.getNetworkOutputs().contains(conv)) {
                folds.add(new Fold(name, affine, conv));
            }
        });
        return folds;
    }

    /**
     * What the folded layer applies after its affine map: DL4J's BatchNorm ignores its activation, tl's applies its
     * own; a layer scale applies none.
     */
    private static IActivation appliedActivation(org.deeplearning4j.nn.conf.layers.Layer affine) {
        return affine instanceof FrozenBatchNormalization batchNorm
                && batchNorm.getActivationFn() instanceof OutOfPlaceActivation
                ? batchNorm.getActivationFn() : new ActivationIdentity();
    }

    private static long consumers(ComputationGraphConfiguration conf, String vertex) {
        return conf.getVertexInputs().values().stream().filter(inputs -> inputs.contains(vertex)).count();
    }

    /**
     * The layer or vertex a frozen wrapper holds: the copy only runs inference, where freezing means nothing. The
     * layer takes the vertex's name, which DL4J pairs them by and a wrapped layer read from JSON may lack.
     */
    private static GraphVertex unfrozen(String name, GraphVertex vertex) {
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
            layerVertex.getLayerConf().getLayer().setLayerName(name);
        }
        return vertex;
    }

    /** The layer of a layer vertex, inside its FrozenLayer if it has one; null for other vertices. */
    private static org.deeplearning4j.nn.conf.layers.Layer layerOf(GraphVertex vertex) {
        if (!(vertex instanceof LayerVertex layerVertex)) {
            return null;
        }
        org.deeplearning4j.nn.conf.layers.Layer layer = layerVertex.getLayerConf().getLayer();
        return layer instanceof FrozenLayer frozen ? frozen.getLayer() : layer;
    }

    private static void copyParams(Layer source, Layer target) {
        source.paramTable().forEach((key, value) -> {
            if (target.paramTable().containsKey(key)) {
                target.getParam(key).assign(value);
            }
        });
    }

    /**
     * W' = W·s per output channel, b' = (b − μ)·s + β, computed on the heap in double whatever the graph's precision
     * (a few array copies; as ND4J operations on these small arrays the folds of DenseNet201 took 1.4 s). A
     * convolution's weights are [out, in, kh, kw]; a depthwise one's [kh, kw, in, multiplier], output channel
     * in·multiplier + m, so the channel is the last index that varies; a separable one's output channels are its
     * pointwise kernel's [out, in, 1, 1] (its depthwise kernel is left as it is). {@code configuration} is the
     * affine layer's own, unwrapped from any frozen wrapper its runtime layer still has.
     */
    private static void foldInto(Layer conv, Layer affine, org.deeplearning4j.nn.conf.layers.Layer configuration,
                                 Layer target) {
        double[] scale;
        float[] mean;
        float[] beta;
        if (configuration instanceof BatchNormalization batchNorm) {
            beta = floats(affine, BatchNormalizationParamInitializer.BETA);
            float[] gamma = affine.paramTable().containsKey(BatchNormalizationParamInitializer.GAMMA)
                    ? floats(affine, BatchNormalizationParamInitializer.GAMMA) : ones(beta.length); // scale=False
            float[] var = floats(affine, BatchNormalizationParamInitializer.GLOBAL_VAR);
            scale = new double[gamma.length];
            for (int c = 0; c < scale.length; c++) {
                scale[c] = gamma[c] / Math.sqrt(var[c] + batchNorm.getEps());
            }
            mean = floats(affine, BatchNormalizationParamInitializer.GLOBAL_MEAN);
        } else {
            float[] gamma = floats(affine, LayerScale.GAMMA);
            scale = new double[gamma.length];
            for (int c = 0; c < scale.length; c++) {
                scale[c] = gamma[c];
            }
            mean = new float[gamma.length];
            beta = new float[gamma.length];
        }

        String weightKey = target.getConfig() instanceof SeparableConvolution
                ? SeparableConvolutionParamInitializer.POINT_WISE_WEIGHT_KEY : ConvolutionParamInitializer.WEIGHT_KEY;
        float[] weights = floats(conv, weightKey);
        boolean depthwise = target.getConfig() instanceof DepthwiseConvolution2D;
        int perChannel = weights.length / scale.length;
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) (weights[i] * scale[depthwise ? i % scale.length : i / perChannel]);
        }
        INDArray targetWeights = target.getParam(weightKey);
        targetWeights.assign(Nd4j.create(weights, targetWeights.shape(), 'c'));

        float[] bias = conv.paramTable().containsKey(ConvolutionParamInitializer.BIAS_KEY)
                ? floats(conv, ConvolutionParamInitializer.BIAS_KEY) : new float[scale.length];
        for (int c = 0; c < bias.length; c++) {
            bias[c] = (float) ((bias[c] - mean[c]) * scale[c] + beta[c]);
        }
        INDArray targetBias = target.getParam(ConvolutionParamInitializer.BIAS_KEY);
        targetBias.assign(Nd4j.create(bias, targetBias.shape(), 'c'));
    }

    private static float[] ones(int length) {
        float[] ones = new float[length];
        java.util.Arrays.fill(ones, 1f);
        return ones;
    }

    private static float[] floats(Layer layer, String key) {
        return layer.getParam(key).dup('c').reshape(-1).toFloatVector();
    }
}
