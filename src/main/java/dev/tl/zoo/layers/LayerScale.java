package dev.tl.zoo.layers;

import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ConvNeXt's LayerScale: each channel multiplied by a learnt factor, y = x·γ. Parameter gamma [1, channels],
 * initialised as Keras does (1e-6 in ConvNeXt: a fresh block's residual branch starts near zero).
 */
public class LayerScale extends ChannelwiseLayer {

    public static final String GAMMA = "gamma";

    private double initialValue;

    /** For JSON deserialisation. */
    public LayerScale() {
    }

    public LayerScale(String name, int channels, double initialValue, CNN2DFormat format) {
        super(name, channels, format);
        this.initialValue = initialValue;
    }

    public double getInitialValue() {
        return initialValue;
    }

    public void setInitialValue(double initialValue) {
        this.initialValue = initialValue;
    }

    @Override
    public ParamInitializer initializer() {
        return new ChannelParams(List.of(GAMMA), List.of(initialValue));
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        return LayerWiring.wire(new Runtime(conf, networkDataType), initializer(), conf, trainingListeners,
                layerIndex, layerParamsView, initializeParams);
    }

    @Override
    public LayerScale clone() {
        return (LayerScale) super.clone();
    }

    static final class Runtime extends BaseLayer<LayerScale> {

        Runtime(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public boolean isPretrainLayer() {
            return false;
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(false);
            INDArray x = input.castTo(dataType);
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape(), 'c');
            Nd4j.exec(new BroadcastMulOp(x, gamma(), out, layerConf().channelAxis(x)));
            return out;
        }

        /** dL/dx = dL/dy·γ; dL/dγ = Σ dL/dy·x over every axis but the channels. */
        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(true);
            INDArray x = input.castTo(dataType);
            INDArray product = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, x.shape(), 'c');
            Nd4j.exec(new MulOp(epsilon, x, product));
            INDArray view = gradientViews.get(GAMMA);
            view.assign(product.sum(layerConf().otherAxes(x)).reshape(view.shape()));

            INDArray gradient = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape(), 'c');
            Nd4j.exec(new BroadcastMulOp(epsilon, gamma(), gradient, layerConf().channelAxis(x)));
            Gradient parameters = new DefaultGradient(gradientsFlattened);
            parameters.setGradientFor(GAMMA, view);
            return new Pair<>(parameters, gradient);
        }

        private INDArray gamma() {
            return getParam(GAMMA).reshape(-1);
        }
    }
}
