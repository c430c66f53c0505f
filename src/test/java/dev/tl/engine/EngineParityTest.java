package dev.tl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.RandomParameters;
import dev.tl.TestData;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageViews;
import dev.tl.data.LabelledImage;
import dev.tl.model.BaseSpec;
import dev.tl.model.FreezePlan;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.model.Precision;
import dev.tl.zoo.Backbone;
import dev.tl.zoo.Backbones;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Both engines give the same numbers: the pooled features of every backbone tl has (each family, each depth, each
 * width, up to 70 million parameters) and the class probabilities of a fused model, on real photos, agree within
 * 5e-5 of the largest value. Kept cheap: the smallest input each backbone takes (32 px for most), two images,
 * and random parameters (BatchNorm statistics and biases too, far from the identity a fresh graph starts with, so that a
 * BatchNorm folded or fused wrongly shows: a BatchNorm epsilon off by 100x moves 35 of these 39 outputs by 1e-4 to
 * 7). The statistics are sized on the activations each BatchNorm receives, as a trained network's are: fixed ones
 * let activations grow block after block into the thousands, where EfficientNetV2-M's squeeze-and-excitation gates
 * flip on rounding errors, and two exact fp32 computations of the same graph (DL4J with and without BatchNorm
 * folded) differ by half their scale. Sized so, fp32 rounding alone still moves the deepest ones' features by up to
 * 3e-5 from a float64 computation (EfficientNetV2-M in DL4J, folded), hence the tolerance.
 */
class EngineParityTest {

    private static final double TOLERANCE = 5e-5;
    private static final int SIZE = 32;
    private static final List<LabelledImage> IMAGES = TestData.subset(TestData.VAL, 1).images();

    /** Families' largest variants repeat their smaller ones' layers at widths whose graphs take gigabytes. */
    private static final long MAX_BASE_PARAMETERS = 70_000_000;

    static Stream<String> backbones() {
        return Backbones.all().stream().filter(backbone -> backbone.baseParameterCount() <= MAX_BASE_PARAMETERS)
                .map(Backbone::name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backbones")
    void featuresAreTheSameOnBothEngines(String backbone) {
        ModelSpec spec = new ModelSpec(List.of(new BaseSpec(backbone, Backbones.get(backbone).minImageSize())),
                new HeadSpec(0, 0), 2);
        ComputationGraph extractor = ModelGraphs.featureExtractor(spec, 11);
        randomise(extractor, spec);

        assertSameOutputs(backbone + " features", extractor, spec);
    }

    @Test
    void aFusedModelClassifiesTheSameOnBothEngines() {
        ModelSpec spec = new ModelSpec(List.of(new BaseSpec("mobilenet_0.25", SIZE), new BaseSpec("densenet121", 40)),
                new HeadSpec(8, 0.2), 3);
        ComputationGraph model = ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), 11);
        randomise(model, spec);

        assertSameOutputs("fused probabilities", model, spec);
    }

    /** Random parameters sized on what the layers compute for the test's images (see {@link RandomParameters}). */
    private static void randomise(ComputationGraph graph, ModelSpec spec) {
        try (BatchLoader loader = new BatchLoader(spec.inputSpecs(), 0)) {
            RandomParameters.randomise(graph, loader.batches(IMAGES, IMAGES.size(), ImageViews.PLAIN).next()
                    .inputs(), 11);
        }
    }

    private static void assertSameOutputs(String what, ComputationGraph graph, ModelSpec spec) {
        INDArray dl4j = outputs(EngineRequest.DL4J, graph, spec);
        INDArray onnxRuntime = outputs(EngineRequest.ONNXRUNTIME, graph, spec);
        double scale = dl4j.amaxNumber().doubleValue();
        double relative = onnxRuntime.sub(dl4j).amaxNumber().doubleValue() / scale;
        System.out.printf(Locale.ROOT, "engines, %s: max |onnxruntime - dl4j| / max |dl4j| = %.2e%n", what, relative);
        assertThat(scale).as(what + " has a scale").isGreaterThan(1e-6).isFinite();
        assertThat(relative).as(what).isLessThan(TOLERANCE);
    }

    private static INDArray outputs(EngineRequest engine, ComputationGraph graph, ModelSpec spec) {
        try (Session session = new EngineChoice(engine, Precision.FP32).open(Network.of("test", graph,
                spec.inputSpecs()));
             BatchLoader loader = Inference.loaderFor(session)) {
            assertThat(session.engine()).isEqualTo(engine.id());
            return Nd4j.create(Inference.outputs("test", session, loader, IMAGES, IMAGES.size(), ImageViews.PLAIN));
        }
    }
}
