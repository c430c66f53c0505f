package dev.tl.zoo.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' {@code BatchNormalization(scale=False)} when BatchNorm trains: DL4J's BatchNormalization with gamma fixed
 * at 1 and not a parameter (beta, moving mean and variance only, see {@link ScaleFreeBatchNormParams}). DL4J's layer
 * reads gamma through {@code getParam} and writes its gradient to a gradient view; here gamma is a constant 1, its
 * gradient goes to scratch memory and is not reported.
 */
public class ScaleFreeBatchNormalization extends BatchNormalization {

    /** For JSON deserialisation. */
    public ScaleFreeBatchNormalization() {
    }

    /** As DL4J's builder would make it (minibatch averaging, cuDNN fallback), with the variance stored as is. */
    public ScaleFreeBatchNormalization(String name, int channels, double epsilon, double momentum,
                                       CNN2DFormat format) {
        setLayerName(name);
        setNIn(channels);
        setNOut(channels);
        setEps(epsilon);
        setDecay(momentum);
        setMinibatch(true);
        setCudnnAllowFallback(true);
        setGamma(1);
        setUseLogStd(false);
        setCnn2DFormat(format);
    }

    @Override
    public ParamInitializer initializer() {
        return ScaleFreeBatchNormParams.INSTANCE;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        return LayerWiring.wire(new Runtime(conf, networkDataType), initializer(), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public ScaleFreeBatchNormalization clone() {
        return (ScaleFreeBatchNormalization) super.clone();
    }

    static final class Runtime extends org.deeplearning4j.nn.layers.normalization.BatchNormalization {
        private static final String GAMMA = BatchNormalizationParamInitializer.GAMMA;

        Runtime(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public INDArray getParam(String key) {
            return GAMMA.equals(key) ? Nd4j.ones(dataType, layerConf().getNOut()) : super.getParam(key);
        }

        @Override
        public void setBackpropGradientsViewArray(INDArray gradients) {
            super.setBackpropGradientsViewArray(gradients);
            gradientViews.put(GAMMA, Nd4j.createUninitialized(gradients.dataType(), layerConf().getNOut()));
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            Pair<Gradient, INDArray> gradients = super.backpropGradient(epsilon, workspaceMgr);
            gradients.getFirst().gradientForVariable().remove(GAMMA);
            return gradients;
        }
    }
}
