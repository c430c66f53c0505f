package dev.tl.zoo.layers;

import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * BatchNorm with fixed statistics and affine parameters (like torchvision's FrozenBatchNorm2d): always normalises
 * with the running mean/variance, never updates them or gamma/beta, but passes gradients to the layers below.
 *
 * <p>DL4J has no such layer: wrapping its BatchNormalization in FrozenLayer blocks the gradient, and
 * FrozenLayerWithBackprop crashes because BN's backward pass needs a training-mode forward pass. This is what lets
 * the fine-tune phase train convolutions while BatchNorm stays in inference mode, as Keras does.
 *
 * <p>Parameters are stored exactly like DL4J's BatchNormalization with {@code useLogStd=false} (gamma, beta, mean,
 * var), so a parameter vector moves between the two layer types unchanged. Without {@code scale} (Keras'
 * {@code scale=False}) there is no gamma, as in {@link ScaleFreeBatchNormalization}.
 *
 * <p>The layer can apply the activation that follows it in the network (its {@code activationFn}, one of tl's
 * {@link OutOfPlaceActivation}s): DL4J keeps every layer's output for backprop, so a separate activation layer would
 * keep a second full-size copy.
 */
public class FrozenBatchNormalization extends BatchNormalization {

    /** Whether gamma scales the normalised value (Keras' {@code scale}); absent from older configurations: true. */
    private boolean scale = true;

    /** For JSON deserialisation. */
    public FrozenBatchNormalization() {
        setUseLogStd(false);
    }

    public FrozenBatchNormalization(String name, int channels, double epsilon, CNN2DFormat format) {
        this(name, channels, epsilon, format, new ActivationIdentity());
    }

    public FrozenBatchNormalization(String name, int channels, double epsilon, CNN2DFormat format,
                                    IActivation activation) {
        this(name, channels, epsilon, true, format, activation);
    }

    public FrozenBatchNormalization(String name, int channels, double epsilon, boolean scale, CNN2DFormat format,
                                    IActivation activation) {
        if (!(activation instanceof ActivationIdentity || activation instanceof OutOfPlaceActivation)) {
            throw new IllegalArgumentException("frozen BatchNorm " + name + " can apply only an activation that computes "
                    + "out of place (tl's ReLU, ReLU6, swish, hard swish...), not " + activation);
        }
        setUseLogStd(false);
        setLayerName(name);
        setNIn(channels);
        setNOut(channels);
        setEps(epsilon);
        setCnn2DFormat(format);
        setActivationFn(activation);
        this.scale = scale;
    }

    public boolean isScale() {
        return scale;
    }

    @Override
    public ParamInitializer initializer() {
        return scale ? super.initializer() : ScaleFreeBatchNormParams.INSTANCE;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        return LayerWiring.wire(new FrozenBatchNormalizationLayer(conf, networkDataType), initializer(), conf,
                trainingListeners, layerIndex, layerParamsView, initializeParams);
    }

    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        return new NoOp();
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return null;
    }

    @Override
    public FrozenBatchNormalization clone() {
        return (FrozenBatchNormalization) super.clone();
    }
}
