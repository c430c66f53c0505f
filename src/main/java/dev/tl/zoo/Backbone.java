package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import dev.tl.zoo.weights.WeightFile;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;

/**
 * A pretrained backbone: its architecture, the input it was trained on, and where Keras publishes its ImageNet
 * weights without ({@code noTopWeights}) and with ({@code topWeights}) the 1000-class classifier.
 */
public record Backbone(String name, Architecture architecture, int defaultImageSize, int minImageSize,
                       Preprocessing preprocessing, WeightFile noTopWeights, WeightFile topWeights) {

    /** Parameters of the base without the classifier top (what the no-top weight file holds). */
    public long baseParameterCount() {
        return parameterCount(false);
    }

    /** Parameters with Keras' ImageNet classifier, counted as Keras counts them (BatchNorm: 4 per channel). */
    public long parameterCountWithTop() {
        return parameterCount(true);
    }

    private long parameterCount(boolean withTop) {
        NetBuilder net = new NetBuilder(new NeuralNetConfiguration.Builder().graphBuilder(), "",
                NetBuilder.Options.inference());
        FeatureMap features = architecture.base(net, new FeatureMap("input", 3, defaultImageSize, defaultImageSize));
        if (withTop) {
            architecture.imagenetTop(net, features);
        }
        return net.parameterCount();
    }
}
