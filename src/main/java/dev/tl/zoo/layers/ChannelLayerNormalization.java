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
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.transforms.floating.RSqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' LayerNormalization over the channels (its default axis -1 in channels-last), as ConvNeXt uses it on
 * feature maps and on the pooled vector: each position's channels are normalised by their own mean and biased
 * variance, y = (x - mean)/√(var + ε)·γ + β. DL4J has no such layer for feature maps, and libnd4j's layer_norm has no
 * ε. Parameters gamma and beta, [1, channels]; nothing is kept between passes (backprop recomputes the statistics).
 */
public class ChannelLayerNormalization extends ChannelwiseLayer {

    public static final String GAMMA = "gamma";
    public static final String BETA = "beta";

    private double epsilon;

    /** For JSON deserialisation. */
    public ChannelLayerNormalization() {
    }

    public ChannelLayerNormalization(String name, int channels, double epsilon, CNN2DFormat format) {
        super(name, channels, format);
        this.epsilon = epsilon;
    }

    public double getEpsilon() {
        return epsilon;
    }

    public void setEpsilon(double epsilon) {
        this.epsilon = epsilon;
    }

    @Override
    public ParamInitializer initializer() {
        return new ChannelParams(List.of(GAMMA, BETA), List.of(1.0, 0.0));
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        return LayerWiring.wire(new Runtime(conf, networkDataType), initializer(), conf, trainingListeners,
                layerIndex, layerParamsView, initializeParams);
    }

    @Override
    public ChannelLayerNormalization clone() {
        return (ChannelLayerNormalization) super.clone();
    }

    static final class Runtime extends BaseLayer<ChannelLayerNormalization> {

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
            normalise(x, out);
            int axis = layerConf().channelAxis(x);
            Nd4j.exec(new BroadcastMulOp(out, param(GAMMA), out, axis));
            Nd4j.exec(new BroadcastAddOp(out, param(BETA), out, axis));
            return out;
        }

        /**
         * With x̂ the normalised input and g = dL/dy·γ: dL/dx = (g - mean(g) - x̂·mean(g·x̂))/√(var + ε), the means
         * over the channels; dL/dγ = Σ dL/dy·x̂ and dL/dβ = Σ dL/dy over every other axis.
         */
        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(true);
            INDArray x = input.castTo(dataType);
            ChannelLayerNormalization conf = layerConf();
            int axis = conf.channelAxis(x);
            int[] others = conf.otherAxes(x);
            INDArray normalised = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, x.shape(), 'c');
            INDArray inverseStd = normalise(x, normalised);

            INDArray product = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, x.shape(), 'c');
            Nd4j.exec(new MulOp(epsilon, normalised, product));
            gradientViews.get(GAMMA).assign(product.sum(others).reshape(gradientViews.get(GAMMA).shape()));
            gradientViews.get(BETA).assign(epsilon.sum(others).reshape(gradientViews.get(BETA).shape()));

            INDArray scaled = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, x.shape(), 'c');
            Nd4j.exec(new BroadcastMulOp(epsilon, param(GAMMA), scaled, axis));
            Nd4j.exec(new MulOp(scaled, normalised, product));
            INDArray meanProduct = product.mean(axis);
            INDArray meanScaled = scaled.mean(axis);

            INDArray gradient = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape(), 'c');
            Nd4j.exec(new BroadcastMulOp(normalised, meanProduct, gradient, others));
            scaled.subi(gradient);
            Nd4j.exec(new BroadcastSubOp(scaled, meanScaled, scaled, others));
            Nd4j.exec(new BroadcastMulOp(scaled, inverseStd, gradient, others));

            Gradient parameters = new DefaultGradient(gradientsFlattened);
            parameters.setGradientFor(GAMMA, gradientViews.get(GAMMA));
            parameters.setGradientFor(BETA, gradientViews.get(BETA));
            return new Pair<>(parameters, gradient);
        }

        /** Writes (x - mean)/√(var + ε) to {@code out}; returns 1/√(var + ε), over the other axes. */
        private INDArray normalise(INDArray x, INDArray out) {
            ChannelLayerNormalization conf = layerConf();
            int axis = conf.channelAxis(x);
            int[] others = conf.otherAxes(x);
            INDArray mean = x.mean(axis);
            INDArray inverseStd = x.var(false, axis).addi(conf.getEpsilon());
            Nd4j.exec(new RSqrt(inverseStd, inverseStd));
            Nd4j.exec(new BroadcastSubOp(x, mean, out, others));
            Nd4j.exec(new BroadcastMulOp(out, inverseStd, out, others));
            return inverseStd;
        }

        private INDArray param(String key) {
            return getParam(key).reshape(-1);
        }
    }
}
