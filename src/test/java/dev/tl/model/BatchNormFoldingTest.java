package dev.tl.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.zoo.layers.ChannelLayerNormalization;
import dev.tl.zoo.layers.LayerScale;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Folding BatchNorm (and layer scales) into the convolutions before it gives every family's features (or class
 * probabilities) as the graph itself computes them, removes the layers it folds and leaves the graph's own parameters
 * alone.
 */
class BatchNormFoldingTest {

    /** At the smallest input the backbone takes (32 px for most). */
    private static ModelSpec spec(String backbone) {
        return new ModelSpec(List.of(new BaseSpec(backbone, size(backbone))), new HeadSpec(0, 0), 3);
    }

    private static int size(String backbone) {
        return dev.tl.zoo.Backbones.get(backbone).minImageSize();
    }

    /** Random statistics and affine parameters, far from the identity map fresh BatchNorm layers compute. */
    private static void randomiseBatchNorm(ComputationGraph graph) {
        Nd4j.getRandom().setSeed(7);
        for (Layer layer : graph.getLayers()) {
            if (layer.getConfig() instanceof BatchNormalization) {
                if (layer.paramTable().containsKey(BatchNormalizationParamInitializer.GAMMA)) { // not with scale=False
                    layer.getParam(BatchNormalizationParamInitializer.GAMMA).assign(uniform(layer, 0.5, 1.5));
                }
                layer.getParam(BatchNormalizationParamInitializer.BETA).assign(uniform(layer, -0.2, 0.2));
                layer.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).assign(uniform(layer, -0.2, 0.2));
                layer.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR).assign(uniform(layer, 0.5, 2));
            }
        }
    }

    private static INDArray uniform(Layer layer, double from, double to) {
        long[] shape = layer.getParam(BatchNormalizationParamInitializer.BETA).shape();
        return Nd4j.rand(DataType.FLOAT, shape).muli(to - from).addi(from);
    }

    private static long batchNormLayers(ComputationGraph graph) {
        return java.util.Arrays.stream(graph.getLayers())
                .filter(layer -> layer.getConfig() instanceof BatchNormalization).count();
    }

    private static void assertSameOutputs(ComputationGraph graph, ComputationGraph folded, double tolerance) {
        assertSameOutputs(graph, folded, tolerance, 32);
    }

    private static void assertSameOutputs(ComputationGraph graph, ComputationGraph folded, double tolerance,
                                          int size) {
        // One input: folding is per channel, the batch plays no part in it
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, size, size, 3).muli(2).subi(1).castTo(graph.params().dataType());
        INDArray expected = graph.output(false, input)[0].castTo(DataType.FLOAT);
        INDArray actual = folded.output(false, input)[0].castTo(DataType.FLOAT);
        double scale = expected.amaxNumber().doubleValue();
        assertThat(scale).isGreaterThan(1e-3);
        assertThat(actual.sub(expected).amaxNumber().doubleValue() / scale).isLessThan(tolerance);
    }

    @ParameterizedTest
    @CsvSource({"mobilenet, 0", "mobilenetv2, 0", "resnet50, 0", "densenet121, 62", "efficientnetb0, 0",
            "vgg16, 0", "efficientnetv2b0, 0", "mobilenetv3small, 0", "mobilenetv3large_minimalistic, 0",
            "resnet50v2, 17", "inceptionv3, 0", "xception, 0", "inceptionresnetv2, 0", "nasnetmobile, 4"})
    void featuresAreTheGraphsOwn(String backbone, long batchNormLeft) {
        ComputationGraph graph = ModelGraphs.featureExtractor(spec(backbone), 3);
        randomiseBatchNorm(graph);
        INDArray params = graph.params().dup();

        ComputationGraph folded = BatchNormFolding.fold(graph);

        assertSameOutputs(graph, folded, 1e-5, size(backbone));
        // Pre-activation BatchNorm (DenseNet, ResNet V2), which follows no convolution, stays
        assertThat(batchNormLayers(folded)).isEqualTo(batchNormLeft);
        assertThat(graph.params()).isEqualTo(params);
    }

    /** ConvNeXt has no BatchNorm: its layer scales fold into the convolution before them, its LayerNorms stay. */
    @Test
    void layerScalesFoldIntoTheirConvolution() {
        ComputationGraph graph = ModelGraphs.featureExtractor(spec("convnext_tiny"), 3);
        Nd4j.getRandom().setSeed(7);
        for (Layer layer : graph.getLayers()) {
            if (layer.getConfig() instanceof LayerScale || layer.getConfig() instanceof ChannelLayerNormalization) {
                layer.paramTable().values().forEach(p -> p.assign(Nd4j.rand(DataType.FLOAT, p.shape()).addi(0.5)));
            }
        }

        ComputationGraph folded = BatchNormFolding.fold(graph);

        assertSameOutputs(graph, folded, 1e-5);
        assertThat(count(folded, LayerScale.class)).isZero();
        assertThat(count(graph, LayerScale.class)).isEqualTo(18);
        assertThat(count(folded, ChannelLayerNormalization.class)).isEqualTo(count(graph, ChannelLayerNormalization.class));
    }

    private static long count(ComputationGraph graph, Class<?> kind) {
        return java.util.Arrays.stream(graph.getLayers()).filter(layer -> kind.isInstance(layer.getConfig())).count();
    }

    /** A fine-tune graph (frozen bottom, trainable top, softmax head) as validation runs it. */
    @Test
    void fineTuneGraphsFoldAsTheyClassify() {
        ModelSpec spec = spec("mobilenetv2");
        ComputationGraph graph = ModelGraphs.full(spec, FreezePlan.fineTune(spec, new Unfreeze(20), false),
                new Adam(1e-3), 3);
        randomiseBatchNorm(graph);

        assertSameOutputs(graph, BatchNormFolding.fold(graph), 1e-5);
    }

    /**
     * DenseNet as the fine-tune phase trains it (BatchNorm folded, or with its ReLU in one pass after each
     * concatenation, and the concatenations copied by oneDNN) has the plain graph's loss and gradient.
     */
    @Test
    void denseNetTrainsAsItsPlainGraph() {
        ModelSpec spec = spec("densenet121");
        FreezePlan plan = FreezePlan.fineTune(spec, Unfreeze.ALL, false);
        ComputationGraph plain = ModelGraphs.full(spec, plan, new Adam(1e-3), 3);
        randomiseBatchNorm(plain);
        ComputationGraph training = ModelGraphs.fineTuning(spec, plan, layer -> new Adam(1e-3), 3, null);
        Params.copyAll(plain, training);
        assertThat(training.getConfiguration().getVertices().values())
                .hasAtLeastOneElementOfType(dev.tl.zoo.layers.ChannelConcat.class);

        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 32, 32, 3).muli(2).subi(1);
        INDArray labels = Nd4j.create(new float[][] {{1, 0, 0}, {0, 0, 1}});
        for (ComputationGraph graph : List.of(plain, training)) {
            graph.setInputs(input);
            graph.setLabels(labels);
            graph.computeGradientAndScore();
        }
        INDArray expected = plain.gradient().gradient();
        INDArray actual = training.gradient().gradient();
        assertThat(training.score()).isCloseTo(plain.score(), org.assertj.core.data.Offset.offset(1e-5));
        assertThat(actual.sub(expected).amaxNumber().doubleValue())
                .isLessThan(1e-4 * expected.amaxNumber().doubleValue());
    }

    /** Folded in double, stored in half precision: within FP16's three digits of the FP16 graph. */
    @Test
    void halfPrecisionGraphsFoldToo() {
        ComputationGraph graph = ModelGraphs.featureExtractor(spec("mobilenet"), 3);
        randomiseBatchNorm(graph);
        ComputationGraph half = Precision.FP16.apply(graph);

        assertSameOutputs(half, BatchNormFolding.fold(half), 1e-2);
    }
}
