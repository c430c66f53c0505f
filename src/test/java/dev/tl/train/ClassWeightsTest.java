package dev.tl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tl.TestData;
import dev.tl.TlException;
import dev.tl.data.ImageSet;
import dev.tl.data.LabelledImage;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

class ClassWeightsTest {

    private static final ModelSpec SPEC = new ModelSpec(List.of(new BaseSpec("mobilenet", 32)), new HeadSpec(0, 0), 2);
    private static final ImageSet TRAIN = TestData.subset(TestData.TRAIN, 3);

    @TempDir
    Path dir;

    /** 30 horizontal, 10 vertical. */
    private static ImageSet imbalanced() {
        List<LabelledImage> images = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            images.add(new LabelledImage(Path.of(i + ".jpg"), i < 30 ? 0 : 1));
        }
        return new ImageSet(List.of("horizontal", "vertical"), images);
    }

    @Test
    void autoIsScikitLearnsBalancedWeighting() {
        ClassWeights auto = ClassWeights.Choice.parse("auto").resolve(imbalanced());
        assertThat(auto.vector()).containsExactly(new double[] {40.0 / (2 * 30), 40.0 / (2 * 10)}, within(1e-12));
        assertThat(auto.byClass()).containsOnlyKeys("horizontal", "vertical");
        assertThat(ClassWeights.Choice.parse("none").resolve(imbalanced())).isNull();
    }

    @Test
    void jsonAndCsvFilesGiveEveryClassItsWeightInClassOrder() throws Exception {
        Path json = Files.writeString(dir.resolve("w.json"), "{\"vertical\": 5, \"horizontal\": 0.5}");
        Path csv = Files.writeString(dir.resolve("w.csv"), "weight,class\n5,vertical\n0.5,horizontal\n");

        assertThat(weights(json).vector()).containsExactly(0.5, 5.0);
        assertThat(weights(csv)).isEqualTo(weights(json));
    }

    @Test
    void badWeightFilesAreNamed() throws Exception {
        assertWeightsError("w.json", "{\"horizontal\": 1, \"vertical\": 2, \"wasps\": 3}", "w.json",
                "unknown class 'wasps'");
        assertWeightsError("w.json", "{\"horizontal\": 1}", "w.json", "no weight for class 'vertical'");
        assertWeightsError("w.json", "{\"horizontal\": 1, \"vertical\": \"a lot\"}", "w.json", "must be a number");
        assertWeightsError("w.json", "[1, 2]", "w.json", "JSON object");
        assertWeightsError("w.csv", "class,weight\nhorizontal,1\nvertical,-2\n", "w.csv line 3", "positive");
        assertWeightsError("w.csv", "class,weight\nhorizontal,1\nhorizontal,2\n", "w.csv line 3", "listed twice");
        assertWeightsError("w.csv", "class,weight\nhorizontal,1\nvertical,x\n", "w.csv line 3", "must be a number");
        assertWeightsError("w.csv", "class,weight,note\n", "w.csv line 1", "unknown column 'note'");
        assertThatThrownBy(() -> ClassWeights.Choice.parse("balanced")).isInstanceOf(TlException.class)
                .hasMessageStartingWith("expected auto, none or a .json or .csv file");
        assertThatThrownBy(() -> ClassWeights.Choice.parse(dir.resolve("gone.json").toString()))
                .isInstanceOf(TlException.class).hasMessageContaining("no such file");
    }

    private void assertWeightsError(String name, String content, String... mentions) throws Exception {
        Path file = Files.writeString(dir.resolve(name), content);
        assertThatThrownBy(() -> weights(file)).isInstanceOf(TlException.class)
                .hasMessageContainingAll(mentions);
    }

    private static ClassWeights weights(Path file) {
        return ClassWeights.Choice.parse(file.toString()).resolve(TRAIN);
    }

    @Test
    void aWeightedClassContributesItsWeightTimesItsLoss() {
        double[] weights = {1, 5};
        ComputationGraph plain = ModelGraphs.head(SPEC, new Adam(1e-3), 3, null);
        ComputationGraph weighted = ModelGraphs.head(SPEC, new Adam(1e-3), 3, weights);
        INDArray features = Nd4j.rand(DataType.FLOAT, 6, ModelGraphs.featureSize(SPEC));

        DataSet horizontal = new DataSet(features, oneHot(6, 0));
        DataSet vertical = new DataSet(features, oneHot(6, 1));
        assertThat(weighted.score(horizontal)).isCloseTo(plain.score(horizontal), within(1e-6));
        assertThat(weighted.score(vertical)).isCloseTo(5 * plain.score(vertical), within(1e-5));
    }

    /** Features that tell the classes apart not at all: training can only learn the (weighted) class prior. */
    @Test
    void trainingLearnsTheWeightedClassPrior() {
        INDArray features = Nd4j.ones(DataType.FLOAT, 16, ModelGraphs.featureSize(SPEC));
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 16, 2);
        for (int i = 0; i < 16; i++) {
            labels.putScalar(i, i % 2, 1f);
        }
        assertThat(meanProbabilityOfBees(features, labels, null)).isCloseTo(0.5, within(0.02));
        assertThat(meanProbabilityOfBees(features, labels, new double[] {1, 10})).isCloseTo(10 / 11.0, within(0.02));
    }

    private static double meanProbabilityOfBees(INDArray features, INDArray labels, double[] weights) {
        ComputationGraph head = ModelGraphs.head(SPEC, new Adam(1e-2), 5, weights);
        for (int step = 0; step < 100; step++) {
            head.fit(new DataSet(features, labels));
        }
        return head.output(false, features)[0].getColumn(1).meanNumber().doubleValue();
    }

    private static INDArray oneHot(int rows, int label) {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, rows, 2);
        labels.getColumn(label).assign(1);
        return labels;
    }
}
