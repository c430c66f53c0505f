package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import dev.tl.zoo.weights.WeightFile;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;

/**
 * A pretrained backbone: its architecture, the input it was trained on and where Keras publishes its ImageNet
 * weights without the classifier top.
 */
public record Backbone(String name, Architecture architecture, int defaultImageSize, int minImageSize,
                       Preprocessing preprocessing, WeightFile noTopWeights) {

    /** Parameters of the base without the classifier top (what the no-top weight file holds). */
    public long baseParameterCount() {
        NetBuilder net = new NetBuilder(new NeuralNetConfiguration.Builder().graphBuilder(), "",
                NetBuilder.Options.inference());
        architecture.base(net, new FeatureMap("input", 3, defaultImageSize, defaultImageSize));
        return net.parameterCount();
    }
}
