package dev.tl.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.TestData;
import dev.tl.TlException;
import dev.tl.engine.Dl4jOutputs;
import dev.tl.data.Framing;
import dev.tl.data.InputSpec;
import dev.tl.data.LabelledImage;
import dev.tl.zoo.Backbone;
import dev.tl.zoo.BatchNormMode;
import dev.tl.zoo.FeatureMap;
import dev.tl.zoo.NetBuilder;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a GPU computes differently, checked on the CPU for one backbone of every family (random weights and
 * BatchNorm statistics, real images): models built in NCHW, cuDNN's layout, give the features of the NHWC models the
 * CPU builds; and the same graphs in half precision (--precision fp16) stay within FP16's few digits, or, where
 * activations pass FP16's range, are refused.
 */
class BackendPortabilityTest {

    private static final int SIZE = 32;
    /** One image of each class: a batch of two, so that a layout mixing up the batch axis shows. */
    private static final List<LabelledImage> IMAGES = TestData.subset(TestData.VAL, 1).images();
    /** FP16 runs on the CPU's slow path; its precision shows on one image as well as on two. */
    private static final List<LabelledImage> ONE_IMAGE = IMAGES.subList(0, 1);

    @ParameterizedTest
    @ValueSource(strings = {"vgg16", "resnet50", "mobilenet", "mobilenetv2", "densenet121", "efficientnetb0"})
    void nchwGivesTheFeaturesOfNhwc(String backbone) {
        ComputationGraph nhwc = extractor(backbone, CNN2DFormat.NHWC);
        ComputationGraph nchw = extractor(backbone, CNN2DFormat.NCHW);
        Params.copyAll(nhwc, nchw);
        assertThat(relativeError(features(nchw, backbone, CNN2DFormat.NCHW, IMAGES),
                features(nhwc, backbone, CNN2DFormat.NHWC, IMAGES))).isLessThan(1e-5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"vgg16", "mobilenet", "mobilenetv2", "densenet121", "efficientnetb0"})
    void halfPrecisionStaysWithinItsDigits(String backbone) {
        ComputationGraph graph = extractor(backbone, CNN2DFormat.NHWC);
        ComputationGraph halfGraph = Precision.FP16.apply(graph);
        assertThat(halfGraph.params().dataType()).isEqualTo(DataType.HALF);
        INDArray single = features(graph, backbone, CNN2DFormat.NHWC, ONE_IMAGE);
        INDArray half = features(halfGraph, backbone, CNN2DFormat.NHWC, ONE_IMAGE);
        assertThat(relativeError(half, single)).isLessThan(0.05);
    }

    /** This random ResNet50's residual sums on caffe-scaled pixels pass FP16's 65504: refused, not NaN features. */
    @Test
    void halfPrecisionThatOverflowsIsRefused() {
        ComputationGraph graph = Precision.FP16.apply(extractor("resnet50", CNN2DFormat.NHWC));
        assertThatThrownBy(() -> features(graph, "resnet50", CNN2DFormat.NHWC, ONE_IMAGE))
                .isInstanceOf(TlException.class)
                .hasMessageContaining("overflow half precision");
    }

    /** Base and pooling in the given layout, randomly initialised (same seed, same weights in both layouts). */
    private static ComputationGraph extractor(String name, CNN2DFormat format) {
        Backbone backbone = new BaseSpec(name, SIZE).backbone();
        GraphBuilder graph = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .weightInit(WeightInit.RELU).inferenceWorkspaceMode(WorkspaceMode.ENABLED).graphBuilder();
        graph.addInputs("input");
        graph.setInputTypes(InputType.convolutional(SIZE, SIZE, 3, format));
        NetBuilder net = new NetBuilder(graph, "", new NetBuilder.Options(format, BatchNormMode.FROZEN, n -> false));
        FeatureMap out = backbone.architecture().base(net, new FeatureMap("input", 3, SIZE, SIZE));
        graph.addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), out.name());
        graph.setOutputs("pool");
        ComputationGraph built = new ComputationGraph(graph.build());
        built.init();
        randomiseConstants(built);
        return built;
    }

    /**
     * Biases and BatchNorm parameters are constants when initialised (0, or gamma 1, mean 0, variance 1), under
     * which a layer that took the wrong axis for its channels would still compute the right thing: make them vary.
     */
    private static void randomiseConstants(ComputationGraph graph) {
        Nd4j.getRandom().setSeed(11);
        graph.paramTable().forEach((name, values) -> {
            if (name.endsWith("_gamma") || name.endsWith("_var")) {
                values.assign(Nd4j.rand(values.dataType(), values.shape()).addi(0.5));
            } else if (name.endsWith("_beta") || name.endsWith("_mean") || name.endsWith("_b")) {
                values.assign(Nd4j.rand(values.dataType(), values.shape()).subi(0.5).muli(0.2));
            }
        });
    }

    private static INDArray features(ComputationGraph graph, String backbone, CNN2DFormat format,
                                     List<LabelledImage> images) {
        InputSpec input = new InputSpec(SIZE, new BaseSpec(backbone, SIZE).backbone().preprocessing(), format,
                Framing.SQUASH);
        return Dl4jOutputs.of(graph, List.of(input), images, 2);
    }

    private static double relativeError(INDArray actual, INDArray expected) {
        return actual.sub(expected).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
    }
}
