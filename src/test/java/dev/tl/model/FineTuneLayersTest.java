package dev.tl.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.zoo.Backbones;
import dev.tl.zoo.NetBuilder;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The families with layers of their own fine-tune with every layer and BatchNorm trainable, at their smallest
 * input: one step moves the parameters of every kind of layer, the graph has the inference graph's parameters
 * (so the phases hand them over) and its configuration survives the JSON a bundle stores it in.
 */
class FineTuneLayersTest {

    /**
     * InceptionResNetV2 runs at 2x2 top maps: at 1x1 its 40 residual blocks compound the steep gradients until one
     * step overflows.
     */
    @ParameterizedTest
    @CsvSource({"inceptionv3, 0", "xception, 0", "inceptionresnetv2, 32", "nasnetmobile, 0"})
    void oneStepTrainsEveryLayerKind(String backbone, int pixelsAboveMinimum) {
        ModelSpec spec = new ModelSpec(java.util.List.of(new BaseSpec(backbone,
                Backbones.get(backbone).minImageSize() + pixelsAboveMinimum)), new HeadSpec(0, 0), 2);
        int size = spec.bases().get(0).imageSize();
        // A small rate: at the smallest input the top blocks' maps are 1x1, where BatchNorm's statistics over two
        // images make steep gradients.
        ComputationGraph graph = ModelGraphs.full(spec, FreezePlan.fineTune(spec, Unfreeze.ALL, true), new Sgd(1e-4),
                5);
        Map<String, INDArray> before = Params.snapshot(graph);
        assertThat(before.keySet()).isEqualTo(ModelGraphs.initial(spec, 5, 5).paramTable().keySet());

        INDArray images = Nd4j.rand(DataType.FLOAT, 2, size, size, 3).muli(2).subi(1);
        if (NetBuilder.layout() == CNN2DFormat.NCHW) {
            images = images.permute(0, 3, 1, 2).dup();
        }
        graph.fit(new MultiDataSet(images, Nd4j.create(new float[][] {{1, 0}, {0, 1}})));

        Map<String, INDArray> after = Params.snapshot(graph);
        assertThat(after.values()).allMatch(values -> !values.isNaN().any() && !values.isInfinite().any());
        for (String suffix : new String[] {"_W", "_beta", "_mean", "_var"}) {
            assertThat(before.keySet().stream().filter(key -> key.endsWith(suffix) && !key.startsWith("head/"))
                    .filter(key -> !after.get(key).equals(before.get(key))).count()).as(suffix).isPositive();
        }
        ComputationGraph restored = new ComputationGraph(ComputationGraphConfiguration.fromJson(
                graph.getConfiguration().toJson()));
        restored.init(graph.params().dup(), false);
        assertThat(restored.output(false, images)[0]).isEqualTo(graph.output(false, images)[0]);
    }
}
