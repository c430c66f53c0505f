package dev.tl.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** tl's updater takes the same steps as DL4J's own, to the bit, Adam's state included. */
class OwnGradientUpdaterTest {

    private static ComputationGraph graph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.FLOAT).updater(new Adam(0.05)).l2(1e-3)
                .graphBuilder()
                .addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    @Test
    void stepsExactlyAsDl4jsOwnUpdater() {
        ComputationGraph dl4j = graph();
        ComputationGraph tl = graph();
        assertThat(OwnGradientUpdater.of(tl)).isInstanceOf(OwnGradientUpdater.class);
        MultiDataSet batch = new MultiDataSet(Nd4j.rand(DataType.FLOAT, 8, 6),
                Nd4j.eye(3).getRows(0, 1, 2, 0, 1, 2, 0, 1).castTo(DataType.FLOAT));

        for (int step = 0; step < 4; step++) {
            dl4j.fit(batch);
            tl.fit(batch);
        }

        assertThat(dl4j.getUpdater()).isNotInstanceOf(OwnGradientUpdater.class);
        assertThat(tl.params()).isEqualTo(dl4j.params());
        assertThat(tl.getUpdater().getStateViewArray()).isEqualTo(dl4j.getUpdater().getStateViewArray());
        assertThat(tl.params()).isNotEqualTo(graph().params());
    }
}
